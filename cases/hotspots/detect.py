"""Finding hotspots in a window of cases: pure functions over plain data, no database.

Each case's title, facts and place are segmented with jieba, with a user dictionary built from the
data (the county's center and grid names, the places written on cases, `HOTSPOT_TERMS`) and from
the texts themselves (bus routes "18路", estates "…小区", companies "…公司", markets, schools,
hospitals). A case's key terms are its nouns and dictionary terms minus stop words. Two cases are
linked when they share two key terms, or one *specific* term — a route, an estate, a company, a
place written on both, a configured term — which names one thing rather than a kind of thing. A
linked group is a hotspot when it spans two channels or three people.
"""

import logging
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from itertools import combinations
from threading import Lock

MIN_CHANNELS = 2
MIN_REPORTERS = 3
MAX_TERMS = 5
# A general term found in more than this share of the window's cases (and in more than
# COMMON_MIN of them) says nothing about a shared cause: "漏水" on a rainy day.
COMMON_SHARE = 0.3
COMMON_MIN = 5

STOP_WORDS = frozenset(
    """
    纠纷 问题 反映 群众 要求 情况 事情 事件 双方 对方 申请 申请人 被申请人 调解 人民调解 协商 处理 解决 部门
    有关 相关 工作 时间 现在 目前 今天 昨天 最近 近日 居民 市民 村民 业主 希望 影响 人员 方面 多次 未果
    尽快 投诉 举报 发现 社区 小区 公司 市场 学校 医院 街道 附近 地方 原因 结果 东西 大家 本人 家里 单位
    意见 矛盾 争议 争执 诉求 来电 来访 网格员 走访 上报 群众反映 现象 行为 问题反映 经常 一直 期间 有限公司
    """.split()
)

# Words that end the name before a place or company suffix: "毛某与兰州长泰物业管理有限公司" → 与.
_BOUNDARY = re.compile(
    "反映|投诉|举报|发现|位于|附近|关于|居民|群众|市民|业主|我们|他们|承建|经营|门口|希望|要求|协调|联系|增加|"
    "[请在的了是和与及对到从向给把被称说因由将为于等其该这那]"
)
_ROUTE = re.compile(r"(?<![0-9A-Za-z])\d{1,4}路(?![口段])")
_HAN_RUN = re.compile(r"[\u4e00-\u9fa5]+")
# Suffix → the longest name kept before it.
_SUFFIXES = {
    "有限责任公司": 10,
    "股份有限公司": 10,
    "有限公司": 10,
    "公司": 8,
    "小区": 6,
    "市场": 6,
    "学校": 6,
    "小学": 6,
    "中学": 6,
    "幼儿园": 6,
    "医院": 8,
    "商场": 6,
    "车站": 6,
}
_SUFFIX = re.compile("|".join(sorted(_SUFFIXES, key=len, reverse=True)))
# Names that are only kinds of things once the suffix is taken off: "物业管理有限公司".
_GENERIC_NAME = re.compile(
    r"^(物业|物业管理|管理|服务|家政|家政服务|建筑|工程|科技|商贸|餐饮|餐饮管理|公交|出租|快递|村|社区|该|本|这个|那个)*$"
)


@dataclass(frozen=True)
class Report:
    """What detection needs of one case."""

    case_id: int
    county_code: str
    channel: str
    reporters: frozenset[str]
    received_at: datetime
    text: str
    place: str = ""


@dataclass
class Dictionary:
    """Terms jieba must keep whole. `specific` terms link two cases on their own."""

    general: set[str] = field(default_factory=set)
    specific: set[str] = field(default_factory=set)
    # The places written on cases: specific, but a place where many cases of the window happen (a
    # village's gate) is as common as a general word and is filtered like one.
    places: set[str] = field(default_factory=set)

    def all(self) -> set[str]:
        return self.general | self.specific


@dataclass
class Group:
    county_code: str
    case_ids: list[int]
    terms: list[str]
    channels: list[str]
    reporter_count: int
    window_start: datetime
    window_end: datetime

    @property
    def key(self) -> str:
        return "|".join(sorted(self.terms[:2]))[:200]


# --- Terms from the texts ---------------------------------------------------------------------------


def extract_terms(text: str) -> set[str]:
    """Bus routes and named places or companies written in a text, found by their form."""
    found = set(_ROUTE.findall(text))
    for run in _HAN_RUN.findall(text):
        start = 0
        for match in _SUFFIX.finditer(run):
            name = _BOUNDARY.split(run[start : match.start()])[-1][-_SUFFIXES[match.group()] :]
            start = match.end()
            if len(name) >= 2 and not _GENERIC_NAME.match(name):
                found.add(name + match.group())
    return found


def build_dictionary(reports: list[Report], *, names=(), configured=()) -> Dictionary:
    """The user dictionary of one pass: center and grid `names` are general terms (they help jieba but
    a township's name alone does not make a hotspot); places on cases, terms found by their form and
    `configured` terms (settings.HOTSPOT_TERMS) are specific."""
    specific = {term.strip() for term in configured if term.strip()}
    places = set()
    for report in reports:
        if report.place and 2 <= len(report.place.strip()) <= 30:
            places.add(report.place.strip())
        specific |= extract_terms(report.text)
    general = {name.strip() for name in names if len(name.strip()) >= 2} - specific - places
    return Dictionary(general=general, specific=specific | places, places=places - specific)


# --- Segmentation -----------------------------------------------------------------------------------

_tokenizer = None
_known: set[str] = set()
_lock = Lock()


def _segmenter(words: set[str]):
    """jieba's part-of-speech tokenizer, loaded once per process, knowing `words`."""
    global _tokenizer
    with _lock:
        if _tokenizer is None:
            import jieba
            import jieba.posseg

            jieba.setLogLevel(logging.WARNING)
            _tokenizer = jieba.posseg.POSTokenizer(jieba.Tokenizer())
            _tokenizer.tokenizer.initialize()
        # The dictionary is this pass's: words of earlier passes are taken out again, so a pass's
        # result does not depend on what the process segmented before, and the dictionary stays small.
        for word in _known - words:
            _tokenizer.tokenizer.del_word(word)
        for word in words - _known:
            # A high frequency so the word wins over the pieces jieba would cut it into.
            _tokenizer.tokenizer.add_word(word, freq=100_000, tag="nz")
        _known.clear()
        _known.update(words)
    return _tokenizer


def key_terms(text: str, dictionary: Dictionary, segmenter=None) -> set[str]:
    """A text's nouns and dictionary terms, without stop words."""
    segmenter = segmenter or _segmenter(dictionary.all())
    known = dictionary.all()
    terms = set()
    for pair in segmenter.cut(text):
        word, flag = pair.word.strip(), pair.flag
        if word in known or (len(word) >= 2 and flag.startswith("n") and not word.isdigit()):
            if word not in STOP_WORDS:
                terms.add(word)
    return terms


# --- Grouping ---------------------------------------------------------------------------------------


def find_groups(reports: list[Report], dictionary: Dictionary) -> list[Group]:
    """The hotspots among the reports of one county's window."""
    if len(reports) < 2:
        return []
    segmenter = _segmenter(dictionary.all())
    by_id = {r.case_id: r for r in reports}
    terms = {r.case_id: key_terms(r.text, dictionary, segmenter) for r in reports}
    postings: dict[str, list[int]] = defaultdict(list)
    for case_id, words in terms.items():
        for word in words:
            postings[word].append(case_id)
    common = max(COMMON_MIN, int(len(reports) * COMMON_SHARE))
    usable = {
        word: ids
        for word, ids in postings.items()
        if len(ids) >= 2 and (len(ids) <= common or (word in dictionary.specific and word not in dictionary.places))
    }
    shared: dict[tuple[int, int], set[str]] = defaultdict(set)
    for word, ids in usable.items():
        for pair in combinations(sorted(ids), 2):
            shared[pair].add(word)
    parent = {case_id: case_id for case_id in by_id}

    def root(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for (a, b), words in shared.items():
        if len(words) >= 2 or words & dictionary.specific:
            parent[root(a)] = root(b)
    members: dict[int, list[int]] = defaultdict(list)
    for case_id in by_id:
        members[root(case_id)].append(case_id)
    groups = []
    for ids in members.values():
        if len(ids) >= 2:
            group = _group([by_id[i] for i in sorted(ids)], terms, dictionary)
            if group is not None:
                groups.append(group)
    return sorted(groups, key=lambda g: (g.window_start, g.case_ids))


def _group(members: list[Report], terms: dict[int, set[str]], dictionary: Dictionary) -> Group | None:
    channels = sorted({r.channel for r in members})
    reporters = set().union(*(r.reporters for r in members))
    # A case without a known reporter counts as one person of its own.
    people = len(reporters) + sum(1 for r in members if not r.reporters)
    if len(channels) < MIN_CHANNELS and people < MIN_REPORTERS:
        return None
    counts = Counter(word for r in members for word in terms[r.case_id])
    ranked = sorted(
        (word for word, count in counts.items() if count >= 2),
        key=lambda w: (-(w in dictionary.specific), -counts[w], -len(w), w),
    )
    return Group(
        county_code=members[0].county_code,
        case_ids=[r.case_id for r in members],
        terms=ranked[:MAX_TERMS],
        channels=channels,
        reporter_count=people,
        window_start=min(r.received_at for r in members),
        window_end=max(r.received_at for r in members),
    )
