"""Prints the web URL of a deployed function, read back through the modal SDK (the deploy output's URL line
is only printed while showing progress, so it is not relied upon). Usage: web_url.py APP FUNCTION [ENV]
FUNCTION is "serve" or "Class.method"."""

import sys

import modal

app_name, function_name = sys.argv[1], sys.argv[2]
env = sys.argv[3] if len(sys.argv) > 3 and sys.argv[3] else None
if "." in function_name:
    cls_name, method = function_name.split(".", 1)
    url = getattr(modal.Cls.from_name(app_name, cls_name, environment_name=env)(), method).get_web_url()
else:
    url = modal.Function.from_name(app_name, function_name, environment_name=env).get_web_url()
if not url:
    sys.exit(f"{app_name}/{function_name} has no web URL")
print(url)
