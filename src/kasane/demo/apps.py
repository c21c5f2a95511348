from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo city and its commands (seed_demo, serve_demo, demo_logins, bench_load); no
    models of its own."""

    name = "kasane.demo"
    label = "demo"
