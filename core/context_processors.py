from django.conf import settings


def site(request):
    return {"SANDBOX": settings.SANDBOX}
