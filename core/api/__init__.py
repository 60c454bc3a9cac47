"""Shared machinery of the JSON API: base view, error model, auth, throttling, schema.

An endpoint subclasses `core.api.views.ApiView` (or uses its mixin on a DRF
generic view) and gets, from the REST_FRAMEWORK settings: TVM or session
authentication, the `IsRecruiter` permission, per-recruiter throttling
(`throttle_scope`), the `{"code", "message", "details"}` error model and
its errors documented in the OpenAPI schema.
"""
