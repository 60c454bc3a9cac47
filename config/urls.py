from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.contrib import admin
from django.contrib.auth.decorators import login_not_required, login_required
from django.urls import include, path, re_path
from django.views.i18n import set_language
from drf_spectacular.views import SpectacularJSONAPIView, SpectacularSwaggerView

from core import views as core_views
from core.api.errors import api_not_found

# Staff sign in through allauth's login, as everyone does: Django's own admin
# form had none of its failed-login rate limits (ACCOUNT_RATE_LIMITS).
admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]

urlpatterns = [
    path("", core_views.home, name="home"),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("health/", include("core.urls")),
    path("recruiting/", include("recruiting.urls")),
    path("freelancers/", include("freelancers.urls")),
    path("api/v1/", include("core.api.urls")),
    path("api/schema/", SpectacularJSONAPIView.as_view(), name="api-schema"),
    path(
        "api/docs/",
        login_required(SpectacularSwaggerView.as_view(url_name="api-schema")),
        name="api-docs",
    ),
    # Anything else under /api/ answers the API's JSON NOT_FOUND (keep last).
    re_path(r"^api(?:/.*)?$", api_not_found),
]

if settings.SANDBOX:
    urlpatterns.append(path("sandbox/", include("sandbox.urls")))

# No route serves MEDIA_ROOT: card photos go through freelancers.views.photo,
# which checks who may see them (freelancers/photos.py).

handler400 = "core.views.bad_request"
handler403 = "core.views.permission_denied"
handler404 = "core.views.page_not_found"
handler500 = "core.views.server_error"
