"""The publishing settings of _config.yml (repository.url and .branch, html.baseurl,
launch_buttons.binderhub_url) and the copy of them that CITATION.cff must carry."""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from reviewkit import paths
from reviewkit.book import citation


@dataclass(frozen=True)
class PublishSettings:
    repository: str
    branch: str
    site_url: str
    binderhub_url: str


def read_settings(root: Path = paths.ROOT) -> PublishSettings:
    config = yaml.safe_load((Path(root) / "_config.yml").read_text(encoding="utf-8"))
    repository = config["repository"]["url"]
    site_url = (config.get("html") or {}).get("baseurl") or citation.site_url(repository)
    return PublishSettings(repository=repository,
                           branch=config["repository"].get("branch", "main"),
                           site_url=site_url,
                           binderhub_url=(config.get("launch_buttons") or {}).get("binderhub_url", ""))


def _set_top_level(text: str, key: str, value: str) -> str:
    pattern = re.compile(rf'^{re.escape(key)}:.*$', re.MULTILINE)
    if not pattern.search(text):
        raise ValueError(f"CITATION.cff has no top-level {key}")
    return pattern.sub(f'{key}: "{value}"', text, count=1)


def sync_citation_file(root: Path = paths.ROOT) -> bool:
    """Write repository-code and url of CITATION.cff from _config.yml; True when it changed.
    Line edits, so that the file's comments and layout stay."""
    settings = read_settings(root)
    path = Path(root) / "CITATION.cff"
    before = path.read_text(encoding="utf-8")
    after = _set_top_level(before, "repository-code", settings.repository)
    after = _set_top_level(after, "url", settings.site_url)
    if after != before:
        path.write_text(after, encoding="utf-8")
    return after != before
