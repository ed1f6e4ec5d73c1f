"""OpenAPI 3 document generated from the form declarations."""
from __future__ import annotations

from ..customer_property import register as property_register
from ..records import spec as specs
from ..records.models import STATUSES


def _field_schema(f) -> dict:
    s: dict
    if f.type in ("string", "text", "phone", "email"):
        s = {"type": "string", "maxLength": f.max_length or (4000 if f.type == "text" else 200)}
        if f.pattern:
            s["pattern"] = f.pattern
    elif f.type == "integer":
        s = {"type": "integer"}
    elif f.type == "decimal":
        s = {"type": "string", "format": "decimal"}
    elif f.type == "date":
        s = {"type": "string", "format": "date"}
    elif f.type == "datetime":
        s = {"type": "string", "example": "2026-11-22T09:30"}
    elif f.type == "boolean":
        s = {"type": "boolean"}
    elif f.type == "user":
        s = {"type": "integer", "description": "user id"}
    elif f.type == "record":
        s = {"type": "string", "description": "record number or #id"}
    elif f.type == "choice":
        s = {"type": "string", "enum": [v for v, _ in f.choices]}
    elif f.type == "table":  # line items: rows of column values (computed columns are worked out)
        s = {"type": "array", "minItems": f.min_rows, "maxItems": f.max_rows,
             "items": {"type": "object", "additionalProperties": False,
                       "properties": {c.name: _field_schema(c) for c in f.columns},
                       "required": [c.name for c in f.columns if c.required]}}
    else:
        s = {"type": "array", "items": {"type": "string", "enum": [v for v, _ in f.choices]}}
    if f.type in ("integer",) and (f.min is not None or f.max is not None):
        if f.min is not None:
            s["minimum"] = f.min
        if f.max is not None:
            s["maximum"] = f.max
    s["description"] = f"{f.label['zh']} / {f.label['en']}"
    if f.compute is not None or f.derived:
        s["readOnly"] = True
        s["description"] += " (computed)"
    return s


def form_description(spec) -> dict:
    """A form's declaration as API clients need it."""
    return {
        "code": spec.code, "revision": spec.revision, "title": spec.title, "procedure": spec.procedure,
        "fields": [_field_description(f) for f in spec.fields],
        "workflow": [{"step": s.name, "label": s.label, "roles": list(s.roles), "meaning": s.meaning}
                     for s in spec.workflow],
        "schema": values_schema(spec),
    }


def _field_description(f) -> dict:
    out = {"name": f.name, "type": f.type, "label": f.label, "required": f.required,
           "choices": [{"value": v, "label": label} for v, label in f.choices]}
    if f.compute is not None or f.derived:
        out["computed"] = True
    if f.type == "table":
        out.update(columns=[_field_description(c) for c in f.columns], min_rows=f.min_rows, max_rows=f.max_rows,
                   totals=list(f.totals))
    return out


def values_schema(spec) -> dict:
    return {"type": "object", "additionalProperties": False,
            "properties": {f.name: _field_schema(f) for f in spec.fields},
            "required": [f.name for f in spec.fields if f.required and f.compute is None and not f.derived]}


ERR = {"$ref": "#/components/schemas/Error"}


def _responses(ok: str, ok_schema: dict, *codes) -> dict:
    out = {ok: {"description": "OK", "content": {"application/json": {"schema": ok_schema}}}}
    text = {401: "No or bad token", 403: "Forbidden", 404: "Not found", 409: "Conflict",
            422: "Invalid input"}
    for c in (401,) + codes:
        out[str(c)] = {"description": text[c], "content": {"application/json": {"schema": ERR}}}
    return out


def _customer_paths() -> dict:
    """The customer index (records.customers_search): find a customer, list their records."""
    customer = {"type": "object", "properties": {
        "key": {"type": "string"}, "kind": {"type": "string", "enum": ["phone", "name", "account"]},
        "value": {"type": "string"}, "phones": {"type": "array", "items": {"type": "string"}},
        "names": {"type": "array", "items": {"type": "string"}}, "records": {"type": "integer"},
        "last_at": {"type": "string", "nullable": True}}}
    return {
        "/api/v1/customers": {"get": {
            "summary": "Find customers by phone number (as typed) or name (its beginning), in the caller's scope",
            "parameters": [{"name": "q", "in": "query", "required": True, "schema": {"type": "string", "maxLength": 100}}],
            "responses": _responses("200", {"type": "object", "properties": {
                "customers": {"type": "array", "items": customer}}}, 422)}},
        "/api/v1/customers/{key}": {"get": {
            "summary": "Every record about one customer the caller may read, newest first (keyset)",
            "parameters": [
                {"name": "key", "in": "path", "required": True, "schema": {"type": "string", "maxLength": 130},
                 "description": "phone digits (07562212345), n:<name> or a:<account>"},
                {"name": "after", "in": "query", "schema": {"type": "string"}},
                {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 200}}],
            "responses": _responses("200", {"type": "object", "properties": {
                "customer": customer, "next": {"type": "string", "nullable": True},
                "records": {"type": "array", "items": {"type": "object"}}}}, 404, 422)}},
    }


def _trace_paths() -> dict:
    """The traceability chain (qms.traceability.trace): a number, a customer or a record to its graph."""
    node = {"type": "object", "properties": {
        "id": {"type": "string"}, "type": {"type": "string", "enum": ["record", "property"]},
        "stage": {"type": "string"}, "number": {"type": "string"}, "form": {"type": "string"},
        "status": {"type": "string"}, "signatures_valid": {"type": "boolean"}}}
    edge = {"type": "object", "properties": {"from": {"type": "string"}, "to": {"type": "string"},
                                             "label": {"type": "string"}}}
    return {"/api/v1/trace": {"get": {
        "summary": "The traceability chain of a phone number (as typed), a customer's name or a record number",
        "parameters": [{"name": "q", "in": "query", "required": True, "schema": {"type": "string", "maxLength": 100}}],
        "responses": _responses("200", {"type": "object", "properties": {
            "query": {"type": "string"}, "kind": {"type": "string"}, "numbers": {"type": "array", "items": {"type": "string"}},
            "nodes": {"type": "array", "items": node}, "edges": {"type": "array", "items": edge}}}, 422)}}}


def _property_paths() -> dict:
    """The customer-property register (qms.customer_property.register_api): its items and one item."""
    item = {"type": "object", "properties": {
        "code": {"type": "string"}, "kind": {"type": "string", "enum": list(property_register.KINDS)},
        "state": {"type": "string", "enum": list(property_register.STATES)}, "phone": {"type": "string"},
        "customer_name": {"type": "string"}, "model": {"type": "string"}, "licence_no": {"type": "string"}}}
    code = {"name": "code", "in": "path", "required": True, "schema": {"type": "string", "maxLength": 20}}
    return {
        "/api/v1/customer-property": {"get": {
            "summary": "The customer-property register, newest first (keyset: after)",
            "parameters": [
                {"name": "phone", "in": "query", "schema": {"type": "string", "maxLength": 100}},
                {"name": "kind", "in": "query", "schema": {"type": "string", "enum": list(property_register.KINDS)}},
                {"name": "state", "in": "query", "schema": {"type": "string", "enum": list(property_register.STATES)}},
                {"name": "department", "in": "query", "schema": {"type": "string", "maxLength": 20}},
                {"name": "after", "in": "query", "schema": {"type": "string"}},
                {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 200}}],
            "responses": _responses("200", {"type": "object", "properties": {
                "items": {"type": "array", "items": item}, "next": {"type": "string", "nullable": True}}}, 422)}},
        "/api/v1/customer-property/{code}": {"get": {
            "summary": "One item: whether it may be connected (refusals empty) and its state history",
            "parameters": [code],
            "responses": _responses("200", {"type": "object", "properties": {
                **item["properties"], "refusals": {"type": "array", "items": {"type": "string"}},
                "events": {"type": "array", "items": {"type": "object"}}}}, 404)}},
    }


def document() -> dict:
    """The whole OpenAPI 3.0 document."""
    codes = [s.code for s in specs.all_specs()]
    rec = {"$ref": "#/components/schemas/Record"}
    id_param = {"name": "record_id", "in": "path", "required": True, "schema": {"type": "integer", "minimum": 1}}
    code_param = {"name": "code", "in": "path", "required": True, "schema": {"type": "string", "enum": codes or ["X"]}}
    text_body = lambda key: {"required": True, "content": {"application/json": {"schema": {  # noqa: E731
        "type": "object", "properties": {key: {"type": "string"}}, "required": [key]}}}}
    texts_body = lambda *keys: {"required": True, "content": {"application/json": {"schema": {  # noqa: E731
        "type": "object", "properties": {k: {"type": "string"} for k in keys}, "required": list(keys)}}}}
    paths = {
        "/api/v1/forms": {"get": {"summary": "Forms the caller may see", "responses": _responses(
            "200", {"type": "object"})}},
        "/api/v1/forms/{code}": {"get": {"parameters": [code_param], "responses": _responses(
            "200", {"type": "object"}, 403, 404)}},
        "/api/v1/forms/{code}/records": {
            "get": {"summary": "Register page (keyset)", "parameters": [
                code_param,
                {"name": "status", "in": "query", "schema": {"type": "string", "enum": list(STATUSES)}},
                {"name": "q", "in": "query", "schema": {"type": "string", "maxLength": 100}},
                {"name": "after", "in": "query", "schema": {"type": "string"}},
                {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 200}},
            ], "responses": _responses("200", {"type": "object"}, 403, 404, 422)},
            "post": {"summary": "Create a draft", "parameters": [code_param], "requestBody": {
                "required": True, "content": {"application/json": {"schema": {
                    "type": "object", "required": ["values"],
                    "properties": {"values": {"type": "object"}, "department_id": {"type": "integer"}}}}}},
                "responses": _responses("201", rec, 403, 404, 422)},
        },
        "/api/v1/records/{record_id}": {
            "get": {"parameters": [id_param], "responses": _responses("200", rec, 403, 404)},
            "patch": {"parameters": [id_param], "requestBody": {"required": True, "content": {
                "application/json": {"schema": {"type": "object", "required": ["values"], "properties": {
                    "values": {"type": "object"}, "version": {"type": "integer"}}}}}},
                "responses": _responses("200", rec, 403, 404, 409, 422)},
        },
        "/api/v1/records/{record_id}/sign": {"post": {"parameters": [id_param], "requestBody": text_body("password"),
                                                      "responses": _responses("200", rec, 403, 404, 409, 422)}},
        "/api/v1/records/{record_id}/void": {"post": {"parameters": [id_param],
                                                      "requestBody": texts_body("reason", "password"),
                                                      "responses": _responses("200", rec, 403, 404, 409, 422)}},
        "/api/v1/records/{record_id}/send-back": {"post": {
            "summary": "Send back to the previous step (its signature is returned)", "parameters": [id_param],
            "requestBody": texts_body("reason", "password"), "responses": _responses("200", rec, 403, 404, 409, 422)}},
        "/api/v1/records/{record_id}/attachments": {"post": {
            "parameters": [id_param],
            "requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
                "type": "object", "properties": {"file": {"type": "string", "format": "binary"}}, "required": ["file"]}}}},
            "responses": {**_responses("201", {"type": "object"}, 403, 404, 422),
                          "413": {"description": "Too large", "content": {"application/json": {"schema": ERR}}}}}},
        "/api/v1/attachments/{attachment_id}": {"get": {
            "parameters": [{"name": "attachment_id", "in": "path", "required": True,
                            "schema": {"type": "integer", "minimum": 1}}],
            "responses": {"200": {"description": "The file", "content": {"application/octet-stream": {
                "schema": {"type": "string", "format": "binary"}}}},
                **{k: v for k, v in _responses("200", {}, 403, 404).items() if k != "200"}}}},
        "/api/v1/records/{record_id}/customer-signature": {"post": {
            "summary": "The customer's signature at the waiting step: drawn (PNG, base64), refused (witnessed), "
                       "or the signed page (multipart)", "parameters": [id_param],
            "requestBody": {"required": True, "content": {
                "application/json": {"schema": {"type": "object", "required": ["kind", "customer_name"], "properties": {
                    "kind": {"type": "string", "enum": ["drawn", "refused"]},
                    "customer_name": {"type": "string", "maxLength": 120},
                    "signature": {"type": "string", "description": "PNG as data:image/png;base64,... or base64; 2 MB"},
                    "reason": {"type": "string"}, "witness": {"type": "string", "description": "user name"},
                    "witness_password": {"type": "string"}}}},
                "multipart/form-data": {"schema": {"type": "object", "required": ["customer_name", "file"], "properties": {
                    "customer_name": {"type": "string"},
                    "file": {"type": "string", "format": "binary", "description": "PNG, JPEG or PDF; 10 MB"}}}}}},
            "responses": {**_responses("201", {"type": "object"}, 403, 404, 409, 422),
                          "413": {"description": "Too large", "content": {"application/json": {"schema": ERR}}}}}},
        "/api/v1/customer-signatures/{cs_id}": {"get": {
            "parameters": [{"name": "cs_id", "in": "path", "required": True, "schema": {"type": "integer", "minimum": 1}}],
            "responses": {"200": {"description": "The file", "content": {"application/octet-stream": {
                "schema": {"type": "string", "format": "binary"}}}},
                **{k: v for k, v in _responses("200", {}, 403, 404).items() if k != "200"}}}},
        "/api/v1/search": {"get": {
            "summary": "Search every register the caller may read, grouped by form", "parameters": [
                {"name": "q", "in": "query", "required": True,
                 "schema": {"type": "string", "minLength": 1, "maxLength": 100}},
                {"name": "per_form", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 50}},
            ], "responses": _responses("200", {"type": "object", "required": ["q", "groups"], "properties": {
                "q": {"type": "string"}, "broad": {"type": "boolean"},
                "groups": {"type": "array", "items": {"type": "object"}}}}, 422)}},
        "/api/v1/records/{record_id}/amend": {"post": {"parameters": [id_param], "requestBody": text_body("reason"),
                                                       "responses": _responses("201", rec, 403, 404, 409, 422)}},
        **_customer_paths(),
        **_trace_paths(),
        **_property_paths(),
    }
    return {
        "openapi": "3.0.3",
        "info": {"title": "qms API", "version": "1", "description":
                 "Records of the ZLAL009 procedures. Authenticate with `Authorization: Bearer <token>` "
                 "(create one with `qms token create USER`)."},
        "servers": [{"url": "/"}],
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                "Error": {"type": "object", "required": ["error", "status"], "properties": {
                    "error": {"type": "string"}, "status": {"type": "integer"},
                    "fields": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}}}},
                "Record": {"type": "object", "required": ["id", "form", "status", "values", "version", "signatures"],
                           "properties": {"id": {"type": "integer"}, "form": {"type": "string"},
                                          "number": {"type": "string", "nullable": True},
                                          "status": {"type": "string", "enum": list(STATUSES)},
                                          "values": {"type": "object"}, "version": {"type": "integer"},
                                          "signatures": {"type": "array", "items": {"type": "object"}},
                                          "returned_signatures": {"type": "array", "items": {"type": "object"}},
                                          "customer_signatures": {"type": "array", "items": {"type": "object"}}}},
            },
        },
        "security": [{"bearer": []}],
        "paths": paths,
    }
