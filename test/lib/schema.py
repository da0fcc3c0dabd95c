"""A small JSON Schema checker for the subset tool schemas use: type (a
name or a list), properties, required, additionalProperties (false),
items, anyOf, enum, minimum, maximum, minLength, maxLength.

    from schema import check
    check(tool["outputSchema"], result["structuredContent"])  # raises

Standard library only.
"""

TYPES = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool) or
    (isinstance(v, float) and v.is_integer()),
    "number": lambda v: isinstance(v, (int, float)) and
    not isinstance(v, bool),
}


class SchemaError(AssertionError):
    pass


def errors(schema, value, path="$"):
    """The list of problems (empty when value fits schema)."""
    out = []
    t = schema.get("type")
    if t is not None:
        names = t if isinstance(t, list) else [t]
        if not any(TYPES[n](value) for n in names):
            return ["%s: expected %s, got %r" % (path, t, value)]
    if "enum" in schema and value not in schema["enum"]:
        out.append("%s: %r not in %r" % (path, value, schema["enum"]))
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if "minimum" in schema and value < schema["minimum"]:
            out.append("%s: below minimum" % path)
        if "maximum" in schema and value > schema["maximum"]:
            out.append("%s: above maximum" % path)
    if isinstance(value, str):
        if len(value) < schema.get("minLength", 0):
            out.append("%s: too short" % path)
        if "maxLength" in schema and len(value) > schema["maxLength"]:
            out.append("%s: too long" % path)
    if isinstance(value, dict):
        props = schema.get("properties", {})
        for name in schema.get("required", []):
            if name not in value:
                out.append("%s: missing required %r" % (path, name))
        for name, v in value.items():
            if name in props:
                out += errors(props[name], v, "%s.%s" % (path, name))
            elif schema.get("additionalProperties") is False:
                out.append("%s: unexpected %r" % (path, name))
    if isinstance(value, list) and "items" in schema:
        for i, v in enumerate(value):
            out += errors(schema["items"], v, "%s[%d]" % (path, i))
    if "anyOf" in schema:
        if all(errors(alt, value, path) for alt in schema["anyOf"]):
            out.append("%s: fits none of anyOf" % path)
    return out


def check(schema, value):
    problems = errors(schema, value)
    if problems:
        raise SchemaError("; ".join(problems[:5]))


def admits_error(schema):
    """True when a tool error's structuredContent fits schema."""
    return not errors(schema, {"error": {"status": 500, "code": "x",
                                         "message": "failed"}})
