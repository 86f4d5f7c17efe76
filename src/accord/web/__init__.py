"""Dashboard, REST API and analyst review over a store (``accord serve``)."""

from accord.web.app import create_app, serve

__all__ = ["create_app", "serve"]
