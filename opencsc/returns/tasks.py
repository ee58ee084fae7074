"""Return checks asked for on the web run here, in the background worker (`opencsc db_worker`), not in the
request: a large CIN census or 903 set takes minutes to validate, and an import as long."""

from django_tasks import task

from opencsc.returns.services import return_check_run, return_import_run


@task()
def return_check_task(check_id: int) -> dict:
    check = return_check_run(check_id=check_id)
    return {"check": check.pk, "status": check.status, "run": check.run_id}


@task()
def return_import_task(import_id: int) -> dict:
    record = return_import_run(import_id=import_id)
    return {"import": record.pk, "status": record.status}
