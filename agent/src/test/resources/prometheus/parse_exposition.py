"""Parses a Prometheus exposition read from stdin with the official Python client's parsers and
prints the families as JSON: {"families": [{"name", "type", "help", "unit", "samples": [...]}]}.

Usage: parse_exposition.py text|openmetrics
The OpenMetrics parser is strict (it rejects, for example, a counter sample without _total or a
missing '# EOF'), so it doubles as a check of naming conventions."""
import json
import math
import sys

from prometheus_client.openmetrics.parser import text_string_to_metric_families as parse_openmetrics
from prometheus_client.parser import text_string_to_metric_families as parse_text


def main():
    fmt = sys.argv[1]
    body = sys.stdin.read()
    parse = parse_openmetrics if fmt == "openmetrics" else parse_text
    families = []
    for family in parse(body):
        samples = []
        for s in family.samples:
            value = s.value
            if isinstance(value, float) and math.isnan(value):
                value = "NaN"
            samples.append({"name": s.name, "labels": s.labels, "value": value})
        families.append({"name": family.name, "type": family.type,
                         "help": family.documentation, "unit": family.unit,
                         "samples": samples})
    json.dump({"families": families}, sys.stdout)


if __name__ == "__main__":
    main()
