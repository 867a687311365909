from django.http import JsonResponse
from django.urls import include, path
from rest_framework.routers import DefaultRouter

from leaves.views import LeafViewSet

router = DefaultRouter(trailing_slash=False)
router.register("leaf", LeafViewSet, basename="leaf")


def health(request):
    """What the benchmark harness waits for before it sends load (as Restable's /health)."""
    return JsonResponse({"status": "ok"})


urlpatterns = [path("health", health), path("api/", include(router.urls))]
