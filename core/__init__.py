"""Infrastructure every app may use, below ``accounts`` in the layering (events → matching →
accounts → core): the progress store of long operations (``core.runs``) and the glue between a
service's ``ValidationError`` and a form (``core.forms``). No models, no business rules."""
