"""The recruiting JSON API (DRF): views in `views`, serializers in `serializers`."""
