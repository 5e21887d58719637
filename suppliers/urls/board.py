from django.urls import path

from ..views import board

urlpatterns = [
    path("challenges/<int:pk>/partners/", board.board, name="board"),
    path("challenges/<int:pk>/partners/post/", board.post_edit, name="board-post-edit"),
    path("partner-posts/<int:pk>/", board.post_detail, name="board-post-detail"),
    path("partner-posts/<int:pk>/close/", board.post_close, name="board-post-close"),
    path("partner-posts/<int:pk>/reopen/", board.post_reopen, name="board-post-reopen"),
    path("partner-conversations/<int:pk>/", board.conversation_detail, name="board-conversation"),
    path(
        "partner-conversations/<int:pk>/share-contact/",
        board.conversation_share,
        name="board-conversation-share",
    ),
]
