"""The application factory: configuration, extensions, blueprints, CLI."""

import secrets
from pathlib import Path

from flask import Flask
from flask_babel import Babel
from flask_compress import Compress
from flask_wtf.csrf import CSRFProtect
from werkzeug.middleware.proxy_fix import ProxyFix

from models import contests
from models import db as database
from models.settings import defaults
from views import (
    admin,
    api,
    api_checkins,  # noqa: F401 - adds the check-in route to api.bp before it is registered
    api_messages,  # noqa: F401 - adds the message routes to api.bp before it is registered
    api_photos,  # noqa: F401 - adds the photo routes to api.bp before it is registered
    assets,
    audit,
    auth,
    checkins,
    checklists,
    cli,
    cli_audit,
    cli_backup,
    cli_exports,
    cli_photos,
    cli_plans,
    cli_reports,
    cli_results,
    cli_tokens,
    control_room,
    dashboard,
    entry_pdfs,
    errors,
    exports,
    incidents,
    languages,
    liaison,
    meetings,
    moved,
    offline,
    photos,
    plans,
    reports,
    results_reports,
    review,
    security,
    storage_errors,
    team_messages,
    template_helpers,
    tokens,
)
from views.ids import RowIdConverter

csrf = CSRFProtect()
babel = Babel()
compress = Compress()


def _secret_key(instance: Path) -> str:
    """Read the instance's secret, making one on first start (never committed)."""
    path = instance / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def create_app(config: dict | None = None) -> Flask:
    """Build the app: defaults, instance/config.py, FLASK_* env, then ``config``."""
    app = Flask(__name__, instance_relative_config=True)
    instance = Path(app.instance_path)
    instance.mkdir(parents=True, exist_ok=True)
    app.config.from_mapping(defaults())
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env()
    if config:
        app.config.update(config)
    if not app.config.get("DATABASE"):
        app.config["DATABASE"] = str(instance / "observation.sqlite")
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _secret_key(instance)
    # Flask's own default is None (no SameSite attribute), so setdefault would not do.
    app.config["SESSION_COOKIE_SAMESITE"] = app.config.get("SESSION_COOKIE_SAMESITE") or "Lax"

    app.url_map.converters["id"] = RowIdConverter
    # Brotli, else gzip (whatever the phone asks for): pages, CSS, JS and JSON
    # shrink to a fifth; a proxy in front may compress instead (README).
    app.config.setdefault("COMPRESS_ALGORITHM", ["br", "gzip"])
    app.config.setdefault("COMPRESS_ALGORITHM_STREAMING", ["br", "gzip"])
    csrf.init_app(app)
    compress.init_app(app)
    assets.init_app(app)
    security.init_app(app)
    babel.init_app(app, locale_selector=languages.select_locale)
    template_helpers.init_app(app)
    database.init_app(app)
    auth.init_app(app)
    checklists.init_app(app)
    contests.init_app(app)
    errors.init_app(app)
    storage_errors.init_app(app)
    photos.init_app(app)
    for blueprint in (auth.bp, checklists.bp, review.bp, incidents.bp, meetings.bp,
                      liaison.bp, dashboard.bp, audit.bp, reports.bp, exports.bp, entry_pdfs.bp,
                      api.bp, tokens.bp, admin.bp, offline.bp, moved.bp, photos.bp,
                      results_reports.bp, languages.bp, plans.bp,
                      team_messages.bp, control_room.bp, checkins.bp):
        app.register_blueprint(blueprint)
    cli.register(app)
    cli_audit.register(app)
    cli_tokens.register(app)
    cli_exports.register(app)
    cli_backup.register(app)
    cli_photos.register(app)
    cli_reports.register(app)
    cli_results.register(app)
    cli_plans.register(app)
    proxies = int(app.config["PROXY_COUNT"] or 0)
    if proxies:
        # Behind nginx or Caddy every request comes from 127.0.0.1: take the
        # client's address (for log-in throttling) and https from the proxy.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)
    return app
