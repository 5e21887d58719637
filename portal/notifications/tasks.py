from celery import shared_task
from django.conf import settings

from portal.celery import app

from . import services


def publish(task, **kwargs) -> None:
    """Publish a task with bounded timeouts and no retries, on a connection of its own, so a broker that
    is down or hanging costs the caller at most about a second. In the embedded mode (no REDIS_URL) the
    task runs in-process."""
    if app.conf.task_always_eager:
        task.apply(kwargs=kwargs, throw=True)
        return
    options = {**app.conf.broker_transport_options, **settings.CELERY_PUBLISH_TRANSPORT_OPTIONS}
    with app.connection_for_write(
        transport_options=options, connect_timeout=options["socket_connect_timeout"]
    ) as conn:
        task.apply_async(kwargs=kwargs, connection=conn, retry=False)


@shared_task(
    bind=True,
    name="notifications.deliver_outbox",
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,
)
def deliver_outbox_task(self, *, mail_ids: list[int]) -> int:
    # The task's id names the delivery: if its worker dies mid-batch, the broker hands the same task (same
    # id) out again, and it takes back the mail it was sending.
    return services.deliver_outbox_mails(mail_ids=mail_ids, claim_token=self.request.id or "")


@shared_task(name="notifications.sweep_outbox", acks_late=True, ignore_result=True)
def sweep_outbox_task() -> int:
    return services.sweep_outbox()
