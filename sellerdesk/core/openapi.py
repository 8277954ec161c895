"""The error responses of every operation, added to the OpenAPI document ninja builds.

ninja documents the success response it is given; every error goes through the one error body of
sellerdesk/api.py. Which statuses an operation can answer follows from what it takes (inputs,
path ids, files), whether it needs a caller, and whether it changes state, so the rules live here
once instead of in 50 decorators."""

ERROR_BODY = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message", "details"],
            "properties": {
                "code": {"type": "string", "description": "snake_case, stable: what a client branches on"},
                "message": {"type": "string", "description": "for people; may change"},
                "details": {
                    "type": "object",
                    "description": "the facts behind the refusal (limits, fields, due times)",
                },
            },
        }
    },
}
RETRY_AFTER = {
    "Retry-After": {"description": "Seconds to wait before trying again.", "schema": {"type": "integer", "minimum": 1}}
}

DESCRIPTIONS = {
    "400": "Bad input: `invalid_input` (with `details.fields`), `malformed_json`, or the code of the rule "
    "the input breaks (`invalid_amount`, `empty_reason`, `statement_too_long`, ...).",
    "401": "`not_authenticated`: no valid API token or session; `invalid_credentials` when logging in.",
    "403": "You may see this but not do it: `forbidden_role`, `forbidden_permission`, `forbidden` "
    "(also a session request without its CSRF token).",
    "404": "`not_found` (also for what exists but is not yours), or the missing object's code "
    "(`order_not_found`, ...).",
    "409": "The object's state does not allow it: `invalid_transition`, `deadline_passed`, "
    "`concurrent_update`, `aftersale_already_open`, `idempotency_key_in_use`, ...",
    "414": "The request line (path and query) is longer than the HTTP server takes (gunicorn: 4094 bytes; "
    "the proxy's `large_client_header_buffers`): refused before the application, so the body is the "
    "server's HTML page, not the error body.",
    "413": "Too large: `request_too_large` (body or fields over 2 MB), `file_too_large`, `too_many_pixels`.",
    "415": "A file that is not accepted: `unsupported_file_type`, `unsafe_pdf`, `encrypted_pdf`, `corrupt_file`.",
    "422": "`idempotency_key_reused`: the same Idempotency-Key with another body; a rule of the "
    "account centre (`subject_mismatch`, ...); or a range that cannot hold anything "
    "(`invalid_date_range`: `created_from` later than `created_to`).",
    "429": "Slow down: `rate_limited`, `throttled`, `step_up_throttled`; `Retry-After` says for how long.",
    "503": "Cannot be done right now, nothing was done: `rail_unavailable`, `file_store_unavailable`, "
    "`rate_limit_unavailable`.",
}
WRITES = {"post", "put", "patch", "delete"}
HTML_BODY = {"text/html": {"schema": {"type": "string"}}}


def error_statuses(method: str, operation: dict) -> list[str]:
    """The error statuses `operation` can answer."""
    params = operation.get("parameters", [])
    takes_body = "requestBody" in operation
    statuses = set()
    if params or takes_body or method in WRITES:
        statuses.add("400")
    if operation.get("security"):
        statuses |= {"401", "403"}
    if params or takes_body:  # an id in the path, the query or the body that is not the caller's
        statuses.add("404")
    if params:  # a path or query long enough to overflow the HTTP server's request line
        statuses.add("414")
    if method in WRITES:
        statuses |= {"409", "413", "422", "429", "503"}
    if "multipart/form-data" in operation.get("requestBody", {}).get("content", {}):
        statuses.add("415")
    return sorted(statuses)


def _bound_limits(operation: dict) -> None:
    """Every list's `limit` and `cursor` as pagination.py checks them (check_limit, check_cursor)."""
    from .pagination import MAX_CURSOR_CHARS, MAX_LIMIT

    for param in operation.get("parameters", []):
        if param.get("in") != "query":
            continue
        if param.get("name") == "limit":
            param["schema"] = {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT}
        elif param.get("name") == "cursor":
            param["schema"] = {"type": "string", "maxLength": MAX_CURSOR_CHARS}
            param.setdefault("description", "A `next_cursor` (or `prev_cursor`) this list gave, as it was given.")


def _enumerate_params(operation: dict) -> None:
    """`openapi_extra={"x-param-enums": {name: values}}`: a query parameter's allowed values, which
    the view checks itself so that a wrong one keeps its own error code."""
    enums = operation.pop("x-param-enums", {})
    for param in operation.get("parameters", []):
        if param.get("name") in enums:
            values = list(enums[param["name"]])
            is_list = param.get("schema", {}).get("type") == "array"
            param["schema"] = (
                {"type": "array", "items": {"type": "string", "enum": values}}
                if is_list
                else {"type": "string", "enum": values}
            )


def _bound_param_lengths(operation: dict) -> None:
    """`openapi_extra={"x-param-max-lengths": {name: characters}}`: a query parameter's maxLength,
    which the view checks itself so that a longer one gets its own error code (`q_too_long`)."""
    lengths = operation.pop("x-param-max-lengths", {})
    for param in operation.get("parameters", []):
        if param.get("in") == "query" and param.get("name") in lengths:
            param["schema"] = {"type": "string", "maxLength": lengths[param["name"]]}


def add_error_responses(schema: dict) -> dict:
    """Every operation's error responses, the error body, and the bounds of every list's `limit` and `cursor`."""
    schema.setdefault("components", {}).setdefault("schemas", {})["ErrorBody"] = ERROR_BODY
    ref = {"$ref": "#/components/schemas/ErrorBody"}
    for path_item in schema.get("paths", {}).values():
        for method, operation in path_item.items():
            _bound_limits(operation)
            _enumerate_params(operation)
            _bound_param_lengths(operation)
            extra_statuses = operation.pop("x-error-statuses", [])
            responses = operation.setdefault("responses", {})
            for status in sorted({*error_statuses(method, operation), *extra_statuses}):
                if status in responses or int(status) in responses:
                    continue
                body = HTML_BODY if status == "414" else {"application/json": {"schema": ref}}
                response = {"description": DESCRIPTIONS[status], "content": body}
                if status == "429":
                    response["headers"] = RETRY_AFTER
                responses[status] = response
    return schema
