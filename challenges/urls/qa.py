from django.urls import path

from ..views import qa

urlpatterns = [
    path("questions/mine/", qa.my_questions, name="my-questions"),
    path("<int:pk>/questions/", qa.question_list, name="question-list"),
    path("<int:pk>/questions/ask/", qa.question_ask, name="question-ask"),
    path("<int:pk>/questions/<int:question_pk>/answer/", qa.question_answer, name="question-answer"),
]
