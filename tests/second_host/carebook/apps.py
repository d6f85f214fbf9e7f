from django.apps import AppConfig


class CarebookConfig(AppConfig):
    name = "carebook"
    verbose_name = "Carebook"
