"""Entry point for ``celery -A ecosystem.celery_worker worker`` (and ``beat``)."""

from ecosystem import create_app

flask_app = create_app()
celery = flask_app.extensions["celery"]
