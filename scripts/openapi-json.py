#!/usr/bin/env python3
"""Compiles openapi.yaml (the source of the API contract) into the Swift file that every node
serves at /openapi.json, so the node reads no file at run time.

    scripts/openapi-json.py            # rewrite Sources/VesperHTTP/OpenAPI/OpenAPIDocument.swift
    scripts/openapi-json.py --check    # exit 1 if that file does not match openapi.yaml

Needs PyYAML (Debian's python3-yaml, installed by scripts/test-setup.sh). The test suite runs
--check, so a change to openapi.yaml without regenerating fails the tests.
"""
import json
import pathlib
import sys

import yaml

ROOT = pathlib.Path(__file__).resolve().parent.parent
SOURCE = ROOT / "openapi.yaml"
TARGET = ROOT / "Sources" / "VesperHTTP" / "OpenAPI" / "OpenAPIDocument.swift"


def render() -> str:
    document = yaml.safe_load(SOURCE.read_text(encoding="utf-8"))
    text = json.dumps(document, indent=1, ensure_ascii=False)
    if '"##' in text:
        sys.exit("openapi-json: the document contains '\"##', which would end the Swift raw string")
    return (
        "// Generated from openapi.yaml by scripts/openapi-json.py; do not edit by hand.\n\n"
        "/// The OpenAPI document this build implements, served at `/openapi.json`.\n"
        "enum OpenAPIDocument {\n"
        "    static let json = ##\"\"\"\n" + text + "\n\"\"\"##\n"
        "}\n"
    )


def main() -> None:
    rendered = render()
    if "--check" in sys.argv[1:]:
        current = TARGET.read_text(encoding="utf-8") if TARGET.exists() else ""
        if current != rendered:
            sys.exit(f"openapi-json: {TARGET.relative_to(ROOT)} is out of date with openapi.yaml; run scripts/openapi-json.py")
        print("openapi-json: up to date")
        return
    TARGET.write_text(rendered, encoding="utf-8")
    print(f"openapi-json: wrote {TARGET.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
