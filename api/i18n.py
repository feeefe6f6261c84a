"""Language of messages: zh-CN by default, English when the client asks for it."""

from __future__ import annotations

TOP_LEVEL_MESSAGES: dict[str, tuple[str, str]] = {
    "UNAUTHENTICATED": ("请先登录。", "Please sign in."),
    "TOKEN_EXPIRED": ("登录已过期，请重新登录。", "Your session has expired; please sign in again."),
    "TOKEN_INVALID": ("身份令牌无效。", "The credential is not valid."),
    "TOKEN_REVOKED": (
        "该登录已结束（已退出、已修改密码或账号已停用），请重新登录。",
        "This session has ended (signed out, password changed or account disabled); please sign in again.",
    ),
    "FORBIDDEN": (
        "您所在单位的角色无权执行此操作。",
        "Your organization's role may not perform this operation.",
    ),
    "NOT_FOUND": ("未找到该对象，或您无权查看。", "Not found, or you may not see it."),
    "INTERNAL": (
        "服务器内部错误，请稍后重试；如持续出现，请将请求编号提供给管理员。",
        "Internal error; try again later. If it persists, give the request id to an administrator.",
    ),
    "BAD_USER_INPUT": ("输入格式不正确。", "The input is malformed."),
    "PERSISTED_QUERY_NOT_FOUND": (
        "生产环境只接受已登记的查询（可信文档）。",
        "Production accepts registered operations only (trusted documents).",
    ),
}


def pick_language(accept_language: str | None) -> str:
    """'en' when English is preferred over Chinese in Accept-Language, else 'zh'."""
    if not accept_language:
        return "zh"
    ranked = []
    for part in accept_language.split(","):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        ranked.append((quality, tag.strip().lower()))
    for _, tag in sorted(ranked, key=lambda pair: -pair[0]):
        if tag.startswith("en"):
            return "en"
        if tag.startswith("zh"):
            return "zh"
    return "zh"


def message(code: str, lang: str) -> str:
    zh, en = TOP_LEVEL_MESSAGES[code]
    return en if lang == "en" else zh
