"""Every page of a paginated read, or an error: never part of a list, never pages without end.

botocore's paginator stops without a word when a page says it is truncated but carries no marker,
and catches a cycle only when the same token comes twice in a row. A list read in part is judged
as if whole: a user on the missing page is never checked. Here each of those ends the read with
IncompleteAnswer, which `reading` turns into an error naming the operation.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from .errors import IncompleteAnswer, member
from .session import loader

# Far above any real account (the audit asks for 1,000 items a page where the API allows it: a
# million IAM entities; 200,000 alarms or SNS topics a region at 100 a page), low enough that an
# endpoint handing out fresh tokens forever is stopped in minutes, not never.
MAX_PAGES = 2_000


def _as_list(value: Any) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def pagination_config(client: Any, method: str) -> dict[str, Any]:
    """botocore's paginator model for `client.<method>` (tokens, truncation flag, limit key)."""
    import botocore.paginate

    model = client.meta.service_model
    operation = client.meta.method_to_api_mapping[method]
    data = loader().load_service_model(model.service_name, "paginators-1", model.api_version)
    return dict(botocore.paginate.PaginatorModel(data).get_paginator(operation))


def pages(client: Any, method: str, *, page_size: int | None = None,
          max_pages: int | None = None, **kwargs: Any) -> Iterator[dict[str, Any]]:
    """The pages of `client.<method>(**kwargs)`, each checked before the next is asked for."""
    import jmespath

    config = pagination_config(client, method)
    outputs = [jmespath.compile(expr) for expr in _as_list(config["output_token"])]
    token_names = "/".join(_as_list(config["input_token"]))
    flag_name = config.get("more_results")
    more = jmespath.compile(flag_name) if flag_name else None
    cap = max_pages or MAX_PAGES
    paging = {"PageSize": page_size} if page_size else {}
    seen: set[str] = set()
    paginator = client.get_paginator(method)
    for number, page in enumerate(paginator.paginate(PaginationConfig=paging, **kwargs), 1):
        yield page
        tokens = [expr.search(page) for expr in outputs]
        given = any(token not in (None, "") for token in tokens)  # botocore: "" is no token
        if more is not None:
            truncated = more.search(page)
            if truncated is None and given:
                raise IncompleteAnswer(f"page {number} gives a {token_names} but does not say "
                                       f"whether more pages follow ({flag_name} is missing)")
            if not truncated:
                return
            if not given:
                raise IncompleteAnswer(f"page {number} says more pages follow ({flag_name}) but "
                                       f"gives no {token_names}: the rest cannot be read")
        elif not given:
            return
        key = json.dumps(tokens, sort_keys=True, default=str)
        if key in seen:
            raise IncompleteAnswer(f"page {number} gives a {token_names} an earlier page gave: "
                                   "the pages go round in a circle")
        if number >= cap:
            raise IncompleteAnswer(f"more than {cap} pages: stopped rather than page without end")
        seen.add(key)


def every(client: Any, method: str, result_key: str, *, page_size: int | None = None,
          **kwargs: Any) -> list[Any]:
    """The items under `result_key` on every page (a page without it is partial, not empty)."""
    items: list[Any] = []
    for page in pages(client, method, page_size=page_size, **kwargs):
        items.extend(member(page, result_key))
    return items
