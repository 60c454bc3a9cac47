"""Every emulator is mounted under /sandbox/<system>/."""

from django.urls import include, path

urlpatterns = [
    path("echo/", include("sandbox.emulators.echo")),
    path("yt/", include("sandbox.emulators.yt")),
    path("amocrm/", include("sandbox.emulators.amocrm")),
    path("tracker/", include("sandbox.emulators.tracker")),
    path("hh/", include("sandbox.emulators.hh")),
    path("superjob/", include("sandbox.emulators.superjob")),
    path("tvmtool/", include("sandbox.emulators.tvmtool")),
    path("certification/", include("sandbox.emulators.certification")),
]
