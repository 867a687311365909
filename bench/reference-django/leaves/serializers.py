from rest_framework import serializers

from leaves.models import Leaf


class LeafSerializer(serializers.ModelSerializer):
    class Meta:
        model = Leaf
        fields = ["id", "label"]
