from django.db import transaction
from rest_framework import mixins, status, viewsets
from rest_framework.response import Response

from leaves.models import Leaf
from leaves.serializers import LeafSerializer


class LeafViewSet(mixins.RetrieveModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet):
    queryset = Leaf.objects.all()
    serializer_class = LeafSerializer
    lookup_value_regex = r"-?[0-9]+"

    def destroy(self, request, *args, **kwargs):
        # Like Restable: answer 200 with the deleted row, read and deleted in one transaction.
        with transaction.atomic():
            instance = self.get_object()
            data = self.get_serializer(instance).data
            self.perform_destroy(instance)
        return Response(data, status=status.HTTP_200_OK)
