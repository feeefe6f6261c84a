"""Language of messages: zh-CN by default, English when the client asks for it."""

from __future__ import annotations

import re
from collections.abc import Callable

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
    "UNAVAILABLE": (
        "服务暂时不可用（数据库无法连接），未作任何更改。请稍后重试。",
        "The service is temporarily unavailable (the database cannot be reached); nothing was changed. "
        "Retry later.",
    ),
    "GRAPHQL_PARSE_FAILED": ("请求无法解析。", "The request could not be parsed."),
    "GRAPHQL_VALIDATION_FAILED": ("请求不符合架构。", "The request does not match the schema."),
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


# graphql-core speaks English only. Its common validation and coercion messages, in Chinese: each pattern
# keeps the technical detail (names, types, values) and only translates the sentence around it.
_Rewrite = Callable[[re.Match[str]], str]
_SUGGESTION = re.compile(r" ?Did you mean (.+?)\?")
_GRAPHQL_ZH: list[tuple[re.Pattern[str], _Rewrite]] = [
    (
        re.compile(
            r"Variable '\$(\w+)' has invalid (default )?value(?: at ((?:\.\w+|\[\d+\])+))?: (.*)", re.S
        ),
        lambda m: (
            f"变量 ${m[1]}{' 的默认值' if m[2] else ' 的值'}无效"
            + (f"（位置 {m[1]}{m[3]}）" if m[3] else "")
            + f"：{graphql_zh(m[4])}"
        ),
    ),
    (
        re.compile(
            r"(Argument '\w+'|Variable '\$\w+' defined by fragment '\w+') has invalid (?:default )?value"
            r"(?: at ((?:\.\w+|\[\d+\])+))?: (.*)",
            re.S,
        ),
        lambda m: f"{_subject(m[1])}的值无效{f'（位置 {m[2]}）' if m[2] else ''}：{graphql_zh(m[3])}",
    ),
    (
        re.compile(
            r"(Argument '\w+'|Variable '\$\w+' defined by fragment '\w+') of required type '(.+?)' "
            r"was not provided\."
        ),
        lambda m: f"缺少必填的{_subject(m[1])}（类型 '{m[2]}'）。",
    ),
    (
        re.compile(r"Expected a value of non-null type '(.+?)' to be provided\."),
        lambda m: f"缺少类型为 '{m[1]}' 的必填值。",
    ),
    (
        re.compile(r"Expected value of non-null type '(.+?)' not to be None\."),
        lambda m: f"类型为 '{m[1]}' 的值不能为 null。",
    ),
    (
        re.compile(r"Expected value of type '(.+?)' to be an object, found: (.*)\.", re.S),
        lambda m: f"类型 '{m[1]}' 的值应为对象，实际为：{m[2]}。",
    ),
    (
        re.compile(r"Expected value of type '(.+?)' to include required field '(.+?)', found: (.*)\.", re.S),
        lambda m: f"类型 '{m[1]}' 的值缺少必填字段 '{m[2]}'，实际为：{m[3]}。",
    ),
    (
        re.compile(
            r"Expected value of type '(.+?)' not to include unknown field '(.+?)'(?:\.( Did you mean .+?\?) Found"
            r"|, found): (.*)\.",
            re.S,
        ),
        lambda m: f"类型 '{m[1]}' 没有字段 '{m[2]}'。{_suggest(m[3])}实际为：{m[4]}。",
    ),
    (
        re.compile(r"Expected value of type '(.+?)', but encountered error '(.*)'; found: (.*)\.", re.S),
        lambda m: f"值不符合类型 '{m[1]}'（{m[2]}），实际为：{m[3]}。",
    ),
    (
        re.compile(r"Expected value of type '(.+?)', found:? (.+?)(?:; (.*))?\.?$", re.S),
        lambda m: f"值不符合类型 '{m[1]}'，实际为：{m[2]}" + (f"；{graphql_zh(m[3])}" if m[3] else "。"),
    ),
    (
        re.compile(r"Value '(.+?)' does not exist in '(.+?)' enum\.(.*)", re.S),
        lambda m: f"枚举 '{m[2]}' 中没有值 '{m[1]}'。{_suggest(m[3])}",
    ),
    (
        re.compile(r"Enum '(.+?)' cannot represent non-(?:enum|string) value: (.*)\.?", re.S),
        lambda m: f"枚举 '{m[1]}' 不能表示该值：{m[2]}。{_suggest(m[2])}",
    ),
    (
        re.compile(r"(Int|Float|String|Boolean|ID) cannot represent (.+?) value: (.*)", re.S),
        lambda m: f"{m[1]} 类型不能表示该值（{m[2]}）：{m[3]}",
    ),
    (
        re.compile(r"Within OneOf Input Object type '(.+?)', exactly one field must be specified.*", re.S),
        lambda m: f"OneOf 输入类型 '{m[1]}' 须且只须指定一个字段。",
    ),
    (re.compile(r"Variable values are nested too deeply\."), lambda m: "变量值嵌套过深。"),
    (re.compile(r"Syntax Error: (.*)", re.S), lambda m: f"语法错误：{m[1]}"),
    (
        re.compile(r"Cannot query field '(.+?)' on type '(.+?)'\.(.*)", re.S),
        lambda m: f"类型 '{m[2]}' 上没有字段 '{m[1]}'。{_suggest(m[3])}",
    ),
    (
        re.compile(r"Field '(.+?)' argument '(.+?)' of type '(.+?)' is required, but it was not provided\."),
        lambda m: f"字段 '{m[1]}' 缺少必填参数 '{m[2]}'（类型 '{m[3]}'）。",
    ),
    (
        re.compile(r"Argument '(.+?)\((\w+):\)' of type '(.+?)' is required, but it was not provided\."),
        lambda m: f"'{m[1]}' 缺少必填参数 '{m[2]}'（类型 '{m[3]}'）。",
    ),
    (
        re.compile(r"Unknown argument '(.+?)' on field '(.+?)'\.(.*)", re.S),
        lambda m: f"字段 '{m[2]}' 没有参数 '{m[1]}'。{_suggest(m[3])}",
    ),
    (
        re.compile(r"Variable '\$(\w+)' is not defined(?: by operation '(.+?)')?\."),
        lambda m: f"变量 ${m[1]} 未在操作中声明。",
    ),
    (
        re.compile(r"Variable '\$(\w+)' is never used(?: in operation '(.+?)')?\."),
        lambda m: f"变量 ${m[1]} 已声明但未使用。",
    ),
    (
        re.compile(r"Variable '\$(\w+)' of type '(.+?)' used in position expecting type '(.+?)'\."),
        lambda m: f"变量 ${m[1]} 的类型 '{m[2]}' 与此处所需类型 '{m[3]}' 不符。",
    ),
    (
        re.compile(r"Variable '\$(\w+)' cannot be non-input type '(.+?)'\."),
        lambda m: f"变量 ${m[1]} 的类型 '{m[2]}' 不是输入类型。",
    ),
    (
        re.compile(r"Field '(.+?)' of required type '(.+?)' was not provided\."),
        lambda m: f"缺少必填字段 '{m[1]}'（类型 '{m[2]}'）。",
    ),
    (
        re.compile(r"Field '(.+?)' is not defined by type '(.+?)'\.(.*)", re.S),
        lambda m: f"类型 '{m[2]}' 没有字段 '{m[1]}'。{_suggest(m[3])}",
    ),
    (re.compile(r"Unknown type '(.+?)'\.(.*)", re.S), lambda m: f"未知类型 '{m[1]}'。{_suggest(m[2])}"),
    (
        re.compile(r"Field '(.+?)' must not have a selection since type '(.+?)' has no subfields\."),
        lambda m: f"字段 '{m[1]}' 的类型 '{m[2]}' 没有子字段，不能带选择集。",
    ),
    (
        re.compile(r"Field '(.+?)' of type '(.+?)' must have a selection of subfields\.(.*)", re.S),
        lambda m: f"字段 '{m[1]}'（类型 '{m[2]}'）须选择子字段。",
    ),
    (re.compile(r"Unknown fragment '(.+?)'\."), lambda m: f"未知片段 '{m[1]}'。"),
    (re.compile(r"Fragment '(.+?)' is never used\."), lambda m: f"片段 '{m[1]}' 未被使用。"),
    (re.compile(r"Unknown directive '(.+?)'\."), lambda m: f"未知指令 '{m[1]}'。"),
    (re.compile(r"There can be only one (.+?)\.?$", re.S), lambda m: f"重复定义：只能有一个 {m[1]}。"),
    (
        re.compile(r"This anonymous operation must be the only defined operation\."),
        lambda m: "匿名操作必须是文档中唯一的操作。",
    ),
]


def _subject(text: str) -> str:
    """ "Argument 'x'" → "参数 'x' "; a fragment variable likewise."""
    argument = re.fullmatch(r"Argument '(\w+)'", text)
    if argument:
        return f"参数 '{argument[1]}' "
    return f"{text.replace('Variable', '变量').replace('defined by fragment', '（片段').rstrip()}）"


def _suggest(text: str | None) -> str:
    match = _SUGGESTION.search(text or "")
    return f"是否要使用 {match[1].replace('the enum value ', '')}？" if match else ""


def graphql_zh(text: str) -> str:
    """A graphql-core message in Chinese, names and values kept; an unknown one keeps its English."""
    for pattern, rewrite in _GRAPHQL_ZH:
        match = pattern.fullmatch(text.strip())
        if match:
            return rewrite(match)
    return f"请求无效：{text}"


def graphql_message(text: str, lang: str) -> str:
    """graphql-core's own message for English clients, its translation for Chinese ones."""
    return text if lang == "en" else graphql_zh(text)
