"""Extension objects, created unbound so any module can import them without the app."""

from __future__ import annotations

from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from ecosystem.core.models import Base

db = SQLAlchemy(model_class=Base)
migrate = Migrate()
babel = Babel()
csrf = CSRFProtect()
# Storage is chosen in create_app (Redis when configured, memory otherwise).
limiter = Limiter(key_func=get_remote_address, default_limits=[])
