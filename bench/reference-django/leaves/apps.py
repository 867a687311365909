from django.apps import AppConfig


class LeavesConfig(AppConfig):
    name = "leaves"
