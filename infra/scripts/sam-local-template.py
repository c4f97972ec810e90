#!/usr/bin/env python3
"""Writes the copy of template.yaml that `sam local` runs on this machine.

usage: sam-local-template.py source OUT.yaml ARCH
       sam-local-template.py prebuilt BUILD_DIR ARCH TARGET_DIR

Only three things differ from what production deploys, and only because this is a local run:
- every function's architecture is the host's (ARCH: x86_64 or arm64), so no emulation;
- the functions also declare AWS_ENDPOINT_URL_DYNAMODB, AWS_ENDPOINT_URL_SECRETS_MANAGER,
  SECRET_SCANNING_PUBLIC_KEYS and WEBHOOKS_ALLOW_LOOPBACK (empty by default), because `sam
  local` passes a function only the variables its template declares, and these point it at
  the local stack and its receivers (--env-vars);
- where the code is: `source` keeps each function's crate (for `sam build`, with absolute
  paths); `prebuilt` lays out BUILD_DIR as `sam build` would (BUILD_DIR/<Function>/bootstrap
  and BUILD_DIR/template.yaml), from the binaries make test already built in TARGET_DIR.
Routes, authorizers, parameters, environment and handlers are the template's own.
"""
import os
import sys

from samcli.yamlhelper import yaml_dump, yaml_parse

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
LOCAL_VARIABLES = ["AWS_ENDPOINT_URL_DYNAMODB", "AWS_ENDPOINT_URL_SECRETS_MANAGER", "SECRET_SCANNING_PUBLIC_KEYS",
                   "WEBHOOKS_ALLOW_LOOPBACK"]


def local_template(arch):
    with open(os.path.join(ROOT, "template.yaml"), encoding="utf-8") as f:
        template = yaml_parse(f.read())
    function_globals = template["Globals"]["Function"]
    function_globals["Architectures"] = [arch]
    variables = function_globals.setdefault("Environment", {}).setdefault("Variables", {})
    for name in LOCAL_VARIABLES:
        variables.setdefault(name, "")
    return template


def functions(template):
    return {
        name: resource
        for name, resource in template["Resources"].items()
        if resource["Type"] == "AWS::Serverless::Function"
    }


def main(argv):
    mode, out, arch = argv[1], argv[2], argv[3]
    template = local_template(arch)
    if mode == "source":
        for resource in functions(template).values():
            resource["Properties"]["CodeUri"] = os.path.join(ROOT, resource["Properties"]["CodeUri"])
        path = out
    elif mode == "prebuilt":
        target_dir = argv[4]
        for name, resource in functions(template).items():
            crate = os.path.basename(resource["Properties"]["CodeUri"])
            binary = os.path.join(target_dir, crate)
            if not os.access(binary, os.X_OK):
                sys.exit(f"sam-local: {binary} is not built (make test builds it)")
            function_dir = os.path.join(out, name)
            os.makedirs(function_dir, exist_ok=True)
            bootstrap = os.path.join(function_dir, "bootstrap")
            if os.path.exists(bootstrap):
                os.remove(bootstrap)
            try:
                os.link(binary, bootstrap)  # same file system: no copy of a large binary
            except OSError:
                import shutil

                shutil.copy2(binary, bootstrap)
            resource["Properties"]["CodeUri"] = name
            resource.pop("Metadata", None)  # built already, as sam build leaves it
        path = os.path.join(out, "template.yaml")
    else:
        sys.exit(__doc__)
    with open(path, "w", encoding="utf-8") as f:
        f.write(yaml_dump(template))
    print(f"sam-local: wrote {os.path.relpath(path, ROOT)} ({len(functions(template))} functions, {arch})")


if __name__ == "__main__":
    main(sys.argv)
