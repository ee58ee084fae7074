from django.apps import AppConfig


class DataflowConfig(AppConfig):
    name = "opencsc.dataflow"
    label = "dataflow"
    verbose_name = "DfE children's social care data flow"
