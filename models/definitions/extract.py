"""Babel extractor: the translatable strings of the checklist definition files.

Labels, help texts, choice labels, section titles and check messages live in
YAML, not in Python, so ``pybabel extract`` needs this to find them (see
babel.cfg). The app wraps the same strings in ``lazy_gettext`` at start-up.
"""

import yaml

_TEXT_KEYS = ("title", "description", "label", "help", "message")


def extract_checklists(fileobj, keywords, comment_tags, options):
    """Yield (line, funcname, message, comments) for every user-facing string."""
    root = yaml.compose(fileobj.read().decode("utf-8"))
    yield from _walk(root)


def _walk(node):
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if key.value in _TEXT_KEYS and isinstance(value, yaml.ScalarNode) and value.value:
                yield value.start_mark.line + 1, "_", value.value, []
            else:
                yield from _walk(value)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            yield from _walk(item)
