from django.conf import settings
from django.db import models


class Severity(models.TextChoices):
    ERROR = "error", "Error"
    QUERY = "query", "Query"


class RunOrigin(models.TextChoices):
    CHECK = "check", "Check against the DfE rules"
    IMPORT = "import", "Import"


class ValidationRun(models.Model):
    """One check of a return against the DfE rules, or one import of a return's files with the problems it
    flagged: what was read, when, by whom, and the counts."""

    kind = models.CharField(max_length=20)  # "cin", "903", ...
    origin = models.CharField(max_length=6, choices=RunOrigin.choices, default=RunOrigin.CHECK)
    year = models.PositiveSmallIntegerField(help_text="Collection year Y: 1 April Y-1 to 31 March Y")
    source = models.CharField(max_length=300, help_text="The file checked")
    run_at = models.DateTimeField(auto_now_add=True, db_index=True)
    run_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    error_count = models.PositiveIntegerField(default=0)
    query_count = models.PositiveIntegerField(default=0)
    notes = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-run_at", "-id"]
        indexes = [models.Index(fields=["kind", "origin", "-run_at"])]


class ValidationFinding(models.Model):
    """A rule a child's record (or the whole return) breaks: one line of the data-quality worklist."""

    run = models.ForeignKey(ValidationRun, on_delete=models.CASCADE, related_name="findings")
    child = models.ForeignKey(
        "people.Child", null=True, blank=True, on_delete=models.SET_NULL, related_name="return_findings"
    )
    la_child_id = models.CharField("LA child ID", max_length=40, blank=True)
    rule = models.CharField(max_length=20)
    severity = models.CharField(max_length=5, choices=Severity.choices)
    message = models.TextField()
    fields = models.TextField(blank=True, help_text="The fields the rule names, with their values")
    # An import's flag says what was wrong with this row and where it is, so it can be corrected in OpenCSC.
    reason = models.TextField(blank=True)
    file = models.CharField(max_length=300, blank=True)
    sheet = models.CharField(max_length=60, blank=True)
    line = models.PositiveIntegerField(null=True, blank=True, help_text="The file's line, or the sheet's row")

    class Meta:
        ordering = ["severity", "rule", "la_child_id", "id"]
        indexes = [models.Index(fields=["run", "severity", "rule"])]


class CheckStatus(models.TextChoices):
    QUEUED = "queued", "Waiting for the background worker"
    RUNNING = "running", "Running"
    DONE = "done", "Finished"
    FAILED = "failed", "Could not be checked"


class ReturnCheck(models.Model):
    """A check of a return asked for on the web and run by the background worker (`opencsc db_worker`): what
    it is checking, how far it has got, and the validation run it produced."""

    kind = models.CharField(max_length=20)
    year = models.PositiveSmallIntegerField(help_text="Collection year Y: 1 April Y-1 to 31 March Y")
    source = models.CharField(max_length=300, help_text="The files uploaded, or the records as they stand")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=10, choices=CheckStatus.choices, default=CheckStatus.QUEUED)
    stage = models.CharField(max_length=200, blank=True, help_text="What the check is doing now")
    steps_done = models.PositiveSmallIntegerField(default=0)
    steps_total = models.PositiveSmallIntegerField(default=3)
    problem = models.TextField(blank=True, help_text="Why the files could not be checked")
    run = models.ForeignKey(ValidationRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]

    @property
    def finished(self) -> bool:
        return self.status in (CheckStatus.DONE, CheckStatus.FAILED)


class ReturnCheckFile(models.Model):
    """An uploaded file waiting to be checked, held in the database so that a worker on another machine can
    read it; deleted when the check finishes."""

    check_request = models.ForeignKey(ReturnCheck, on_delete=models.CASCADE, related_name="files")
    name = models.CharField(max_length=200)
    size = models.PositiveBigIntegerField()
    content = models.BinaryField()

    class Meta:
        ordering = ["id"]


class ReturnImport(models.Model):
    """An import of uploaded return files asked for on the web and run by the background worker: what it
    reads, how far it has got (the records of the batch being mapped, done of total, written on a connection
    of its own so that the page sees them while the import's transaction is open) and, once finished, its
    report. The report names files, lines and reasons, never a child: the flags are shown through the worklist's
    selector, which names only the children the reader may open."""

    kind = models.CharField(max_length=20)
    source = models.CharField(max_length=300, help_text="The files uploaded")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=10, choices=CheckStatus.choices, default=CheckStatus.QUEUED)
    stage = models.CharField(max_length=200, blank=True, help_text="What the import is doing now")
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    what = models.CharField(max_length=40, blank=True, help_text="What is counted: children, rows")
    report = models.JSONField(default=dict, blank=True)
    problem = models.TextField(blank=True, help_text="Why the import stopped")
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]

    @property
    def finished(self) -> bool:
        return self.status in (CheckStatus.DONE, CheckStatus.FAILED)


class ReturnImportFile(models.Model):
    """An uploaded file waiting to be imported (held in the database, as for a check); deleted when the import
    finishes."""

    import_request = models.ForeignKey(ReturnImport, on_delete=models.CASCADE, related_name="files")
    name = models.CharField(max_length=200)
    size = models.PositiveBigIntegerField()
    content = models.BinaryField()

    class Meta:
        ordering = ["id"]
