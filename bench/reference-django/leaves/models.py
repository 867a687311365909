from django.db import models


class Leaf(models.Model):
    """The table Restable created: CREATE TABLE "leaf" ("id" INTEGER NOT NULL, "label" TEXT, PRIMARY KEY ("id"))."""

    id = models.IntegerField(primary_key=True)
    label = models.TextField(null=True)

    class Meta:
        managed = False
        db_table = "leaf"
