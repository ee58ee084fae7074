from django.apps import AppConfig


class FinanceConfig(AppConfig):
    name = "opencsc.finance"
    label = "finance"
    verbose_name = "Placement costs and budgets"
