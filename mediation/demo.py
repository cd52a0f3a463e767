"""Demo mediation: the roster of every county with townships, and the mediation of its demo cases.

`seed_demo` calls `seed(ctx)` after the cases (and their hand-offs) exist.

The roster follows what one province reported of the organisations stationed at its centers: 291
court-stationed mediators; 525 people's mediation organisations with 3,090 mediators; 521 industry
and professional organisations with 1,875 mediators; 238 personal mediation rooms (`REPORTED`).
- province scale: those totals spread over the counties by their caseload (largest remainder);
  the committees sit at the busiest townships of each county (525 for some 1,300 townships; the
  others call on their county's organisations);
- county and small scale: one county's share each (a province has ~87 counties), but at least a
  committee at every township, a court-stationed team, about six industry organisations, one to
  three personal rooms, an expert team with two chief legal consultants and a volunteer team.

Then every demo case with an "assign-mediator" step gets what the services would have written:
- an `Assignment` per mediator, at the time of the step, ended when the case left those mediators'
  hands (escalated after a failure, handed back, or closed);
- one to three `MediationSession`s between the assignment and the outcome, the last one "agreed" for
  a resolve, "failed" or "withdrawn" for a fail, "continue" for a case still in mediation;
- for a resolved case with two sides an `Agreement` (signed on the resolve date; recent ones
  still drafts), numbered `{short name}人调〔{year}〕{serial}号` per organisation and year in order,
  with the case's parties (sex and birth date read off the identity number) and one to three terms
  with due dates and amounts, fulfilled mostly, partly or not once due. No signed scan: the demo
  has no paper to scan, so `signed_scan` stays empty.
The assignment step's `data["mediators"]` is rewritten to the names of the roster mediators
assigned, so the timeline and the assignments say the same.

Deterministic (every choice from `ctx.rng_for("mediation:<county>")`), idempotent (a county that
already has mediation organisations is skipped), inserted with `bulk_create`, county by county in
one transaction each.

`after_users(ctx)` gives the demo `mediator` login a desk: the roster entry of that name on the
committee of the demo township, and a few open cases in mediation assigned to it, with the grant an
assignment gives.
"""

import itertools
import math
import time
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_DOWN, Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Count, Subquery
from django.utils import timezone

from cases import demo as case_demo
from cases import demo_corpus as corpus
from cases.models import OPEN_STATUSES, Case, CaseEvent, Category, Party, Status
from govcenter import bulk
from govcenter.demo import import_user, in_workers
from govcenter.divisions import Level
from govcenter.models import Center, Role
from mediation.models import (
    Agreement,
    AgreementParty,
    AgreementTerm,
    Assignment,
    MediationOrg,
    MediationSession,
    Mediator,
)

Kind = MediationOrg.Kind
Outcome = MediationSession.Outcome
Fulfilment = AgreementTerm.Fulfilment

# What one province reported (organisations and mediators stationed at its centers), and the number
# of its county-level divisions, to divide the figures by for one county's share.
REPORTED = {
    "court_mediators": 291,
    "committees": 525,
    "committee_mediators": 3_090,
    "industry": 521,
    "industry_mediators": 1_875,
    "personal_rooms": 238,
}
PROVINCE_COUNTIES = 87

# Mediators per organisation: (sizes, weights), the means near the reported ratios.
COMMITTEE_SIZES = ([4, 5, 6, 7, 8], [1.2, 3.2, 4, 2.6, 0.9])  # ≈ 5.9 (3,090 / 525)
INDUSTRY_SIZES = ([2, 3, 4, 5, 6], [2, 4, 3, 1.5, 0.8])  # ≈ 3.6 (1,875 / 521)

# Industry and professional organisations: key, name, short-name suffix, specialties. The first six
# every county has (at county and small scale); the others come with a larger share.
INDUSTRY_FIELDS = [
    ("property", "物业纠纷人民调解委员会", "物业", ["d-property-mgmt"]),
    ("family", "婚姻家庭纠纷人民调解委员会", "婚调", ["d-marriage"]),
    ("labour", "劳动争议人民调解委员会", "劳调", ["d-labour"]),
    ("medical", "医疗纠纷人民调解委员会", "医调", ["d-medical"]),
    ("traffic", "道路交通事故纠纷人民调解委员会", "交调", ["d-traffic"]),
    ("consumer", "消费纠纷人民调解委员会", "消调", ["d-consumer"]),
    ("expropriation", "征地拆迁纠纷人民调解委员会", "征拆", ["d-expropriation"]),
    ("land", "农村土地承包经营纠纷调解委员会", "土调", ["d-land"]),
    ("commerce", "商事纠纷人民调解委员会", "商调", ["d-contract", "d-business"]),
    ("finance", "金融纠纷人民调解委员会", "金调", ["d-contract--loan"]),
    ("housing", "房地产纠纷人民调解委员会", "房调", ["d-housing"]),
    ("environment", "环境纠纷人民调解委员会", "环调", ["d-environment"]),
]
CORE_FIELDS = 6

SPECIALTIES = {
    Kind.COMMITTEE: [
        "d-neighbour",
        "d-marriage",
        "d-housing--homestead",
        "d-land--contracting",
        "d-damages",
        "d-contract--loan",
        "d-marriage--elder-support",
        "d-neighbour--passage",
        "d-other",
    ],
    Kind.COURT_STATIONED: [
        "d-contract--loan",
        "d-marriage--divorce",
        "d-traffic",
        "d-labour--wages",
        "d-property-mgmt",
        "d-consumer",
        "d-contract",
    ],
    Kind.EXPERT_TEAM: [
        "d-expropriation",
        "d-land",
        "d-contract--construction",
        "d-medical--malpractice",
        "d-labour--injury",
        "d-environment",
    ],
    Kind.SOCIAL: ["d-neighbour", "d-marriage--elder-support", "d-marriage", "d-other", "d-damages--property"],
    Kind.PERSONAL_ROOM: [
        "d-marriage",
        "d-neighbour",
        "d-housing--homestead",
        "d-land--contracting",
        "d-marriage--elder-support",
    ],
}

# Area codes of the Gansu cities, for the organisations' phones.
AREA_CODES = {
    "6201": "0931",
    "6202": "0937",
    "6203": "0935",
    "6204": "0943",
    "6205": "0938",
    "6206": "0935",
    "6207": "0936",
    "6208": "0933",
    "6209": "0937",
    "6210": "0934",
    "6211": "0932",
    "6212": "0939",
    "6229": "0930",
    "6230": "0941",
}

INACTIVE_SHARE = 0.04  # of the roster: retired, moved away
DRAFT_DAYS = 7  # an agreement of a case resolved this recently may still be a draft
CHECK_LAG_DAYS = 7  # a term due this recently is not checked yet
DESK_SIZE = 3  # open cases on the demo mediator's desk
EPISODE_VERBS = ("assign-mediator", "resolve", "fail", "escalate", "hand-back", "close")


# --- Words ----------------------------------------------------------------------------------------

CONTINUE_NOTES = [
    "调解员分别听取了{a}和{r}的陈述，{a}坚持原有诉求，{r}表示需要考虑，双方分歧较大。",
    "调解员采取背靠背方式分别做双方工作，释明相关法律规定，{r}对部分事实予以认可。",
    "组织双方面对面协商，{r}同意承担部分责任，但双方就具体数额和期限未能达成一致。",
    "调解员到现场实地查看，核实了争议情况，向双方讲解了《中华人民共和国民法典》相关规定。",
    "调解员邀请村（社区）干部共同参与，从情理法三方面做双方工作，双方情绪有所缓和。",
    "{r}未按约定到场，调解员电话联系后，{r}表示愿意下次参加调解。",
]
CONTINUE_NEXT = [
    "请双方补充相关证据材料，约定{n}日后再次调解。",
    "调解员会后分别做双方工作，择期再次组织调解。",
    "邀请法律顾问参加下次调解，就法律问题释法说理。",
    "待相关费用核算清楚后再次组织双方协商。",
]
AGREED_NOTES = [
    "经调解员释法说理，双方互谅互让，自愿达成协议：{summary}。",
    "双方在调解员主持下面对面协商，达成一致：{summary}，{a}与{r}均表示认可。",
    "调解员结合类似纠纷的处理情况向双方分析利弊，双方最终达成一致：{summary}。",
]
ORAL_SUMMARY = "口头约定今后和睦相处、互不追究"
AGREED_NEXT = [
    "制作人民调解协议书，双方签字后各执一份；调解员跟踪回访履行情况。",
    "当场签订人民调解协议书，告知双方可共同申请司法确认。",
]
ORAL_NEXT = ["双方达成口头协议，调解员记录在案并跟踪回访。"]
FAILED_NOTES = [
    "双方各执己见，{r}不同意{a}提出的要求，调解不成。",
    "经多次调解，双方在赔偿数额上差距过大，无法达成一致。",
    "{r}明确表示拒绝调解，调解终止。",
]
FAILED_NEXT = [
    "告知当事人可通过仲裁、诉讼等途径依法维权。",
    "已引导申请人通过诉讼途径解决，并提供法律援助咨询。",
    "调解不成，依程序上报并告知当事人其他解决途径。",
]
WITHDRAWN_NOTES = [
    "{a}表示双方已自行和解，申请撤回调解申请。",
    "{a}申请撤回调解，表示将另行通过诉讼解决。",
]
WITHDRAWN_NEXT = ["终止调解，记录在案。"]
RESPONSIBILITIES = [
    "经调查核实，{r}对纠纷的发生负主要责任，{a}负次要责任。",
    "双方对纠纷的发生均有一定责任，应本着互谅互让的原则妥善解决。",
    "{r}未依约履行义务，是引起本纠纷的主要原因。",
    "",
]
FULFILLED_NOTES = ["经回访核实，已按约定履行完毕。", "申请人确认已收到款项。", "调解员电话回访，已履行。"]
PARTLY_NOTES = ["仅履行部分，余款约定延期支付。", "已支付部分款项，剩余部分仍在督促履行。"]
NOT_NOTES = [
    "逾期未履行，已告知申请人可申请司法确认后强制执行。",
    "被申请人以经济困难为由未履行，调解员继续督促。",
]
MANNERS = ["银行转账", "现金当面支付", "微信转账", "在调解员见证下当面支付"]

# What a payment is for, and what the dispute is about, by category prefix (the first that matches).
PAYMENTS = [
    ("d-labour--injury", "工伤赔偿款"),
    ("d-labour", "拖欠的劳动报酬"),
    ("d-traffic", "医疗费、误工费、护理费等各项损失"),
    ("d-medical", "医疗损害赔偿款"),
    ("d-contract--loan", "借款本金"),
    ("d-contract--construction", "工程款"),
    ("d-contract", "货款"),
    ("d-consumer", "退款及赔偿款"),
    ("d-marriage--custody", "子女抚养费"),
    ("d-marriage--elder-support", "赡养费"),
    ("d-marriage--divorce", "财产折价款"),
    ("d-marriage--inheritance", "遗产折价款"),
    ("d-property-mgmt", "物业服务费"),
    ("d-housing", "房屋租金及补偿款"),
    ("d-expropriation", "补偿款"),
    ("d-land", "补偿款"),
    ("d-business", "合伙分配款"),
    ("d-damages", "赔偿款"),
    ("d-environment", "补偿款"),
]
# Terms without money, by category prefix.
DEEDS = [
    ("d-neighbour--passage", "{r}于{due}前清除堆放在公共通道上的杂物，恢复通行"),
    ("d-neighbour--noise", "{r}保证每日22时至次日8时不进行产生噪音的施工或活动"),
    ("d-neighbour--light", "{r}于{due}前拆除遮挡{a}房屋采光的搭建物"),
    ("d-neighbour--drainage", "{r}于{due}前疏通排水沟，保证雨水正常排放"),
    ("d-neighbour", "双方今后和睦相处，互不干扰对方正常生活"),
    ("d-marriage--elder-support", "子女轮流照料老人，每人每月照料一个月，老人的医疗费用由子女平均分担"),
    ("d-marriage--domestic-violence", "{r}保证今后不再实施家庭暴力，双方和睦相处"),
    ("d-marriage--custody", "{r}每月可探望子女两次，{a}予以配合"),
    ("d-marriage", "双方自愿和好，共同维护家庭和睦"),
    ("d-housing--homestead", "双方以现有界桩为界，各自在界内建房，互不侵占"),
    ("d-housing", "{r}于{due}前腾退房屋并交还钥匙"),
    ("d-land", "双方按原承包合同确认的四至界限耕种，互不越界"),
    ("d-environment", "{r}于{due}前完成整改，加装降噪除尘设施"),
    ("d-property-mgmt", "{r}于{due}前修复小区公共设施，并公示物业服务收支情况"),
    ("d-consumer", "{r}于{due}前为{a}更换商品或重新提供服务"),
    ("d-labour", "{r}于{due}前为{a}出具解除劳动关系证明并办理社会保险转移手续"),
]
DISPUTES = [
    ("d-labour", "{a}要求{r}支付拖欠的劳动报酬{amount}，{r}对拖欠数额和支付时间有异议。"),
    ("d-traffic", "{a}要求{r}赔偿因交通事故造成的各项损失{amount}，双方对责任划分和赔偿数额存在争议。"),
    ("d-medical", "{a}认为{r}在诊疗过程中存在过错，要求赔偿{amount}，{r}不同意。"),
    ("d-contract", "{a}要求{r}支付{amount}，{r}对金额和支付期限有异议。"),
    ("d-property-mgmt", "双方就物业服务质量和物业费收取存在争议。"),
    ("d-marriage", "双方就家庭事务的处理和相关费用的承担存在争议。"),
    ("d-neighbour", "双方因相邻关系发生争执，{a}要求{r}排除妨碍，{r}不予认可。"),
    ("d-housing", "双方就房屋的使用、界限或租赁费用存在争议。"),
    ("d-land", "双方就土地的承包经营范围和收益存在争议。"),
    ("d-consumer", "{a}要求{r}退款并赔偿损失{amount}，{r}只同意部分退款。"),
    ("d-damages", "{a}要求{r}赔偿损失{amount}，{r}认为数额过高。"),
]
PAYMENT_TERM = "{payer}于{due}前一次性向{payee}支付{what}人民币{amount}元"
INSTALMENT_TERM = "{payer}于{due}前向{payee}支付{what}第{n}期款项人民币{amount}元"
ON_THE_SPOT_TERM = "{payer}于本协议签订时当场向{payee}支付{what}人民币{amount}元"
CLOSING_TERM = "本协议履行完毕后，双方就此纠纷再无其他争议，今后互不追究"


def _first(table, code: str, default=None):
    return next((value for prefix, value in table if code.startswith(prefix)), default)


def _hundreds(amount: Decimal) -> Decimal:
    return (amount / 100).to_integral_value(rounding=ROUND_DOWN) * 100


def _chinese_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _yuan(amount: Decimal) -> str:
    return f"{amount:,.2f}".removesuffix(".00")


def _matches(code: str, specialties) -> bool:
    """The services' rule: the case's category or its parent among the specialties."""
    parent = code.split("--")[0]
    return any(code == s or parent == s for s in specialties)


def _short_place(name: str) -> str:
    for suffix in ("街道", "镇", "乡", "区", "县", "市"):
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name.removesuffix(suffix)
    return name


def _apportion(total: int, weights: list[float], low: int, high: list[int] | None = None) -> list[int]:
    """`total` split in proportion to `weights` (largest remainder), each between low and its high."""
    if not weights:
        return []
    high = high or [math.inf] * len(weights)
    whole = sum(weights) or 1.0
    raw = [total * w / whole for w in weights]
    shares = [int(max(low, min(h, math.floor(r)))) for r, h in zip(raw, high, strict=True)]
    rest = total - sum(shares)
    order = sorted(range(len(raw)), key=lambda i: (-(raw[i] - math.floor(raw[i])), i))
    while rest > 0:
        grown = False
        for i in order:
            if rest and shares[i] < high[i]:
                shares[i] += 1
                rest -= 1
                grown = True
        if not grown:
            break
    return shares


class Term:
    """An agreement's term being made up: the fields of AgreementTerm, without a model instance."""

    __slots__ = (
        "position",
        "text",
        "manner",
        "place",
        "due_date",
        "amount",
        "fulfilment",
        "checked_at",
        "fulfilment_note",
    )

    def __init__(self, *, text: str, due_date: date, manner: str = "", amount: Decimal | None = None):
        self.position = 0
        self.text = text
        self.manner = manner
        self.place = ""
        self.due_date = due_date
        self.amount = amount
        self.fulfilment = Fulfilment.PENDING
        self.checked_at = None
        self.fulfilment_note = ""

    def row(self) -> tuple:
        """In TERMS' fields, after the agreement id."""
        return (
            self.position,
            self.text,
            self.manner,
            self.place,
            self.due_date,
            self.amount,
            self.fulfilment,
            self.checked_at,
            self.fulfilment_note,
        )


class AgreementRow:
    """An agreement being made up; its number and serial come when the county's are counted."""

    FIELDS = (
        "case_id",
        "org",
        "center_code",
        "number",
        "year",
        "serial",
        "status",
        "facts",
        "disputed_matters",
        "responsibilities",
        "copies",
        "signed_at",
        "drafted_by_id",
        "created_at",
        "updated_at",
    )
    __slots__ = FIELDS

    def __init__(self, **values):
        for name in self.FIELDS:
            setattr(self, name, values[name])

    def row(self) -> tuple:
        """In AGREEMENTS' fields."""
        return tuple(self.org.pk if name == "org" else getattr(self, name) for name in self.FIELDS)


# How the rows are written (govcenter.bulk): the fields of the tuples the seeder builds.
ASSIGNMENTS = bulk.Table(Assignment, ["case", "mediator", "assigned_by", "assigned_at", "reasons", "ended_at"])
SESSIONS = bulk.Table(
    MediationSession,
    ["case", "held_at", "place", "attendees", "notes", "next_steps", "outcome", "recorded_by", "recorded_at"],
)
SESSION_MEDIATORS = bulk.Table(MediationSession.mediators.through, ["mediationsession", "mediator"])
AGREEMENTS = bulk.Table(Agreement, [name.removesuffix("_id") for name in AgreementRow.FIELDS])
AGREEMENT_PARTIES = bulk.Table(
    AgreementParty,
    [
        "agreement",
        "party",
        "role",
        "party_kind",
        "name",
        "sex",
        "birth_date",
        "id_number",
        "address",
        "legal_representative",
        "agent",
    ],
)
TERMS = bulk.Table(
    AgreementTerm,
    [
        "agreement",
        "position",
        "text",
        "manner",
        "place",
        "due_date",
        "amount",
        "fulfilment",
        "checked_at",
        "fulfilment_note",
    ],
)
AGREEMENT_MEDIATORS = bulk.Table(Agreement.mediators.through, ["agreement", "mediator"])
EVENT_DATA = bulk.Table(CaseEvent, ["data"])  # the mediators' names on the assign step, rewritten


# --- The roster of one county ---------------------------------------------------------------------


@dataclass
class CountyPlace:
    code: str
    name: str
    center_id: int
    city_code: str
    city_name: str
    townships: list[tuple[str, str, int]] = field(default_factory=list)  # (code, name, center id)
    villages: dict[str, str] = field(default_factory=dict)  # code → name

    @property
    def display(self) -> str:
        """The county as its organisations name it (Jiayuguan's only district is 市辖区)."""
        return self.city_name if self.name == "市辖区" else self.name


@dataclass
class Plan:
    """How many of each kind one county gets."""

    committees: list[str]  # township codes
    committee_sizes: list[int]
    industry_fields: list[tuple]
    industry_sizes: list[int]
    court_size: int
    personal_rooms: int
    expert_size: int
    social_size: int


class Roster:
    """The organisations and mediators of one county, built and inserted."""

    def __init__(self, county: CountyPlace, category_ids: dict[str, int], used_short: set[str], rng):
        self.county = county
        self.category_ids = category_ids
        self.used_short = used_short
        self.rng = rng
        self.orgs: list[MediationOrg] = []
        self.members: dict[int, list[Mediator]] = {}  # id(org) → mediators, then org.pk → mediators
        self.specialties: dict[int, list[str]] = {}  # id(mediator) → category codes
        self.fields: dict[int, list[str]] = {}  # id(org) → the field of an industry organisation
        self.names: set[str] = set()
        self.certificates = 0

    # Names, numbers, phones.
    def person_name(self, male: bool | None = None) -> str:
        rng = self.rng
        male = rng.random() < 0.55 if male is None else male
        for _attempt in range(50):
            surname = rng.choice(corpus.SURNAMES)
            r = rng.random()
            if r < 0.35:
                name = surname + rng.choice(corpus.OLD_MALE if male else corpus.OLD_FEMALE)
            elif r < 0.55:
                name = surname + rng.choice(corpus.MALE_CHARS if male else corpus.FEMALE_CHARS)
            else:
                chars = corpus.MALE_CHARS if male else corpus.FEMALE_CHARS
                name = surname + rng.choice(chars) + rng.choice(chars)
            if name not in self.names:
                self.names.add(name)
                return name
        return name

    def mobile(self) -> str:
        return self.rng.choice(corpus.MOBILE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"

    def org_phone(self) -> str:
        return f"{AREA_CODES.get(self.county.city_code, '0931')}-{self.rng.randint(2000000, 8999999)}"

    def certificate(self, kind: str) -> str:
        self.certificates += 1
        year = self.rng.randint(2015, 2025)
        if kind == Kind.COURT_STATIONED:
            return f"特邀调解员〔{year}〕{self.county.code}{self.certificates:04d}号"
        return f"甘人调证{self.county.code}{year % 100:02d}{self.certificates:04d}"

    def short_name(self, *candidates: str) -> str:
        """The first candidate no other organisation uses: agreement numbers must not collide."""
        for candidate in candidates:
            if candidate not in self.used_short:
                self.used_short.add(candidate)
                return candidate
        base, n = candidates[-1], 2
        while f"{base}{n}" in self.used_short:
            n += 1
        self.used_short.add(f"{base}{n}")
        return f"{base}{n}"

    # Building.
    def org(self, kind, center: tuple[str, int], name: str, short: tuple[str, ...], address: str, public=True):
        code, center_id = center
        org = MediationOrg(
            name=name[:120],
            kind=kind,
            center_id=center_id,
            center_code=code,
            short_name=self.short_name(*short)[:20],
            phone=self.org_phone(),
            address=address[:200],
            is_public=public,
        )
        self.orgs.append(org)
        self.members[id(org)] = []
        return org

    def mediator(self, org: MediationOrg, specialties: list[str], name: str | None = None, chief=False):
        rng = self.rng
        if name is None:
            name = self.person_name()
        else:
            self.names.add(name)
        volunteer = org.kind == Kind.SOCIAL and rng.random() < 0.6
        mediator = Mediator(
            org=org,
            center_code=org.center_code,
            name=name,
            certificate="" if volunteer else self.certificate(org.kind),
            phone=self.mobile(),
            is_chief_consultant=chief,
            is_active=chief or rng.random() >= INACTIVE_SHARE,
        )
        self.members[id(org)].append(mediator)
        self.specialties[id(mediator)] = specialties
        return mediator

    def pick_specialties(self, pool: list[str], core: list[str] | None = None) -> list[str]:
        rng = self.rng
        count = rng.choices([1, 2, 3], weights=[3, 4, 2])[0]
        chosen = list(core or [])
        for code in rng.sample(pool, min(len(pool), count)):
            if code not in chosen and len(chosen) < 3:
                chosen.append(code)
        return chosen[:3] or pool[:1]

    def build(self, plan: Plan, township_names: dict[str, str], reserved: dict[str, list[str]]) -> None:
        rng, county = self.rng, self.county
        display = county.display
        c_short = _short_place(display)
        city_short = _short_place(county.city_name)
        county_center = (county.code, county.center_id)
        centers = {code: (code, pk) for code, _name, pk in county.townships}
        for names in reserved.values():
            self.names.update(names)

        # People's mediation committees at the townships.
        for code, size in zip(plan.committees, plan.committee_sizes, strict=True):
            township = township_names[code]
            org = self.org(
                Kind.COMMITTEE,
                centers[code],
                f"{township}人民调解委员会",
                (_short_place(township), f"{c_short}{_short_place(township)}"),
                f"{display}{township}综治中心调解室",
            )
            fixed = reserved.get(code, [])
            for name in fixed:
                self.mediator(org, self.pick_specialties(SPECIALTIES[Kind.COMMITTEE]), name=name).is_active = True
            for _ in range(max(0, size - len(fixed))):
                self.mediator(org, self.pick_specialties(SPECIALTIES[Kind.COMMITTEE]))

        # The court's pre-litigation mediation (诉调对接) at the county center.
        court = f"{county.city_name}{county.name}人民法院" if county.name != "市辖区" else f"{display}人民法院"
        org = self.org(
            Kind.COURT_STATIONED,
            county_center,
            f"{court}诉调对接中心",
            (f"{c_short}诉调", f"{city_short}{c_short}诉调"),
            f"{court}诉讼服务中心",
        )
        for _ in range(plan.court_size):
            self.mediator(org, self.pick_specialties(SPECIALTIES[Kind.COURT_STATIONED]))

        # Industry and professional organisations.
        for (_key, suffix, short, codes), size in zip(plan.industry_fields, plan.industry_sizes, strict=True):
            org = self.org(
                Kind.INDUSTRY,
                county_center,
                f"{display}{suffix}",
                (f"{c_short}{short}", f"{city_short}{c_short}{short}"),
                f"{display}综治中心{suffix.removesuffix('人民调解委员会').removesuffix('调解委员会')}调解室",
            )
            self.fields[id(org)] = codes
            subtypes = [c for c in self.category_ids if c.split("--")[0] in codes and "--" in c]
            for _ in range(size):
                self.mediator(org, self.pick_specialties(codes + subtypes, core=[rng.choice(codes)]))

        # Personal rooms, each named after its well-known mediator: at the county or a busy township.
        for index in range(plan.personal_rooms):
            where = county_center
            place = display
            if plan.committees and rng.random() < 0.4:
                code = plan.committees[min(index, len(plan.committees) - 1)]
                where, place = centers[code], f"{display}{township_names[code]}"
            name = self.person_name(male=rng.random() < 0.65)
            org = self.org(
                Kind.PERSONAL_ROOM,
                where,
                f"{name}个人调解工作室",
                (f"{name}工作室", f"{c_short}{name}工作室"),
                f"{place}综治中心{name}个人调解工作室",
            )
            self.mediator(org, self.pick_specialties(SPECIALTIES[Kind.PERSONAL_ROOM]), name=name).is_active = True
            for _ in range(rng.choice([0, 1, 1, 2])):
                self.mediator(org, self.pick_specialties(SPECIALTIES[Kind.PERSONAL_ROOM]))

        # The expert team with its chief legal consultants (首席法律咨询专家).
        org = self.org(
            Kind.EXPERT_TEAM,
            county_center,
            f"{display}矛盾纠纷化解专家团队",
            (f"{c_short}专家", f"{city_short}{c_short}专家"),
            f"{display}综治中心专家工作室",
            public=False,  # called in by the center, not chosen by citizens
        )
        chiefs = reserved.get(f"expert:{county.code}", [])
        for index in range(plan.expert_size):
            name = chiefs[index] if index < len(chiefs) else None
            self.mediator(org, self.pick_specialties(SPECIALTIES[Kind.EXPERT_TEAM]), name=name, chief=index < 2)

        # Volunteers (社会力量).
        org = self.org(
            Kind.SOCIAL,
            county_center,
            f"{display}社会矛盾纠纷调解志愿服务队",
            (f"{c_short}志愿", f"{city_short}{c_short}志愿"),
            f"{display}综治中心志愿服务站",
        )
        for _ in range(plan.social_size):
            self.mediator(org, self.pick_specialties(SPECIALTIES[Kind.SOCIAL]))

    def insert(self) -> int:
        MediationOrg.objects.bulk_create(self.orgs, batch_size=case_demo.BATCH_SIZE)
        mediators = []
        for org in self.orgs:
            for mediator in self.members[id(org)]:
                mediator.org = org  # now with its pk
                mediators.append(mediator)
        Mediator.objects.bulk_create(mediators, batch_size=case_demo.BATCH_SIZE)
        through = Mediator.specialties.through
        Mediator.specialties.through.objects.bulk_create(
            [
                through(mediator_id=m.pk, category_id=self.category_ids[code])
                for m in mediators
                for code in self.specialties[id(m)]
                if code in self.category_ids
            ],
            batch_size=case_demo.BATCH_SIZE,
        )
        self.members = {org.pk: self.members[id(org)] for org in self.orgs}
        self.fields = {org.pk: self.fields.get(id(org), []) for org in self.orgs}
        self.specialties = {m.pk: self.specialties[id(m)] for m in mediators}
        return len(mediators)


# --- The mediation of one county's cases ----------------------------------------------------------


@dataclass
class Episode:
    """One round of mediation of a case: from its assign step to the outcome and the end."""

    event_id: int
    start: datetime
    center: str
    outcome: str = ""  # resolve, fail, or "" while still in mediation
    outcome_at: datetime | None = None
    outcome_note: str = ""
    ended_at: datetime | None = None
    mediators: list[Mediator] = field(default_factory=list)


@dataclass
class CaseInfo:
    id: int
    number: str
    status: str
    kind: str
    channel: str
    category: str
    amount: Decimal | None
    title: str
    facts: str
    center_code: str
    is_difficult: bool
    received_at: datetime
    place: str
    parties: list[tuple] = field(default_factory=list)  # (id, role, kind, name, id_number, address)
    episodes: list[Episode] = field(default_factory=list)

    def first(self, role: str, default: str) -> str:
        return next((p[3] for p in self.parties if p[1] == role), default)


class Mediation:
    """Assignments, sessions and agreements of one county's mediated cases."""

    def __init__(self, roster: Roster, user_id: int, now: datetime):
        self.roster = roster
        self.rng = roster.rng
        self.county = roster.county
        self.user_id = user_id
        self.now = now
        self.today = timezone.localtime(now).date()
        self.tz = timezone.get_current_timezone()
        by_kind: dict[str, list[MediationOrg]] = {}
        for org in roster.orgs:
            by_kind.setdefault(org.kind, []).append(org)
        self.committee = {org.center_code: org for org in by_kind.get(Kind.COMMITTEE, [])}
        self.industry = by_kind.get(Kind.INDUSTRY, [])
        self.rooms = by_kind.get(Kind.PERSONAL_ROOM, [])
        self.single = {kind: by_kind[kind][0] for kind in (Kind.COURT_STATIONED, Kind.EXPERT_TEAM, Kind.SOCIAL)}
        self.village_names = self.county.villages
        self.township_names = {code: name for code, name, _pk in self.county.townships}
        self.counts = {"assignments": 0, "sessions": 0, "agreements": 0}
        self._choices: dict[tuple[int, str], tuple[list[Mediator], list[int]]] = {}  # see _choose

    # Reading the cases.
    def cases(self) -> list[CaseInfo]:
        code = self.county.code
        mediated = CaseEvent.objects.filter(case__county_code=code, verb="assign-mediator").values("case_id")
        rows = (
            Case.objects.filter(pk__in=Subquery(mediated))
            .order_by("received_at", "number")
            .values_list(
                "id",
                "number",
                "status",
                "kind",
                "channel",
                "category__code",
                "amount",
                "title",
                "facts",
                "center_code",
                "is_difficult",
                "received_at",
                "place",
            )
        )
        cases = {row[0]: CaseInfo(*row) for row in bulk.rows(rows)}
        if not cases:
            return []
        for case in cases.values():
            case.category = case.category or "d-other--other"
        parties = Party.objects.filter(case_id__in=Subquery(mediated)).order_by("case_id", "role", "id")
        for row in bulk.rows(
            parties.values_list("id", "case_id", "role", "party_kind", "name", "id_number", "address")
        ):
            case = cases.get(row[1])
            if case is not None:
                case.parties.append((row[0], *row[2:]))
        events = (
            CaseEvent.objects.filter(case_id__in=Subquery(mediated), verb__in=EPISODE_VERBS)
            .order_by("case_id", "version")
            .values_list("id", "case_id", "verb", "at", "center_code", "note")
        )
        current: dict[int, Episode | None] = {}
        for event_id, case_id, verb, at, center, note in bulk.rows(events):
            case = cases.get(case_id)
            if case is None:
                continue
            episode = current.get(case_id)
            if verb == "assign-mediator":
                if episode is not None and episode.outcome == "":
                    continue  # a further mediator on the same round: the first step stands for it
                episode = Episode(event_id=event_id, start=at, center=center)
                case.episodes.append(episode)
                current[case_id] = episode
            elif episode is None:
                continue
            elif verb in ("resolve", "fail") and not episode.outcome:
                episode.outcome, episode.outcome_at, episode.outcome_note = verb, at, note
            elif verb in ("escalate", "hand-back", "close"):
                episode.ended_at = at
                current[case_id] = None
        return list(cases.values())

    # Who mediates.
    def _pool(self, case: CaseInfo, center: str) -> MediationOrg:
        rng = self.rng
        category = case.category
        matching = [org for org in self.industry if _matches(category, self.roster.fields[org.pk])]
        if len(center) >= 9:
            committee = self.committee.get(center[:9])
            if committee is not None:
                r = rng.random()
                rooms = [o for o in self.rooms if o.center_code in (center[:9], self.county.code)]
                if r < 0.08 and rooms:
                    return rng.choice(rooms)
                if r < 0.15 and matching:
                    return matching[0]
                return committee
        r = rng.random()
        court = self.single[Kind.COURT_STATIONED]
        if case.channel == "court" and r < 0.75:
            return court
        if matching and r < 0.8:
            return matching[0]
        expert = self.single[Kind.EXPERT_TEAM]
        if _matches(category, SPECIALTIES[Kind.EXPERT_TEAM]) and r < 0.9:
            return expert
        choices = [court, self.single[Kind.SOCIAL], *self.rooms]
        return rng.choice(choices)

    def _choose(self, org: MediationOrg, category: str, taken: list[Mediator]) -> Mediator | None:
        """One of the organisation's active mediators but those taken, three times as likely if the
        category is among their specialties."""
        key = (org.pk, category)
        if taken or key not in self._choices:
            people = [m for m in self.roster.members[org.pk] if m.is_active and m not in taken]
            weights = [3 if _matches(category, self.roster.specialties[m.pk]) else 1 for m in people]
            if taken:
                return self.rng.choices(people, weights=weights)[0] if people else None
            self._choices[key] = (people, list(itertools.accumulate(weights)))  # what choices() would sum
        people, cum_weights = self._choices[key]
        return self.rng.choices(people, cum_weights=cum_weights)[0] if people else None

    def mediators_for(self, case: CaseInfo, episode: Episode) -> list[Mediator]:
        rng = self.rng
        org = self._pool(case, episode.center)
        first = self._choose(org, case.category, []) or self._choose(self.single[Kind.SOCIAL], case.category, [])
        chosen = [first]
        if rng.random() < 0.25:
            if case.is_difficult and rng.random() < 0.5:
                extra = self._choose(self.single[Kind.EXPERT_TEAM], case.category, chosen)
            else:
                extra = self._choose(org, case.category, chosen)
            if extra is not None:
                chosen.append(extra)
        return chosen

    # Building the rows.
    def run(self) -> None:
        cases = self.cases()
        assignments, sessions, session_people, agreements, events = [], [], [], [], []
        for case in cases:
            for episode in case.episodes:
                episode.mediators = self.mediators_for(case, episode)
                events.append((episode.event_id, {"mediators": [m.name for m in episode.mediators]}))
                for mediator in episode.mediators:
                    reasons = ["specialty"] if _matches(case.category, self.roster.specialties[mediator.pk]) else []
                    assignments.append((case.id, mediator.pk, self.user_id, episode.start, reasons, episode.ended_at))
                summary = ORAL_SUMMARY
                if episode.outcome == "resolve" and episode is case.episodes[-1] and self.two_sides(case):
                    agreement = self.agreement(case, episode)
                    agreements.append(agreement)
                    summary = agreement[2][0].text
                for session, people in self.sessions(case, episode, summary):
                    sessions.append(session)
                    session_people.append(people)
        ASSIGNMENTS.insert(assignments)
        ids = SESSIONS.insert(sessions, returning=True)
        SESSION_MEDIATORS.insert(
            (session_id, m.pk) for session_id, people in zip(ids, session_people, strict=True) for m in people
        )
        EVENT_DATA.update(events)
        self.insert_agreements(agreements)
        self.counts = {"assignments": len(assignments), "sessions": len(sessions), "agreements": len(agreements)}

    def _place(self, case: CaseInfo, episode: Episode, org: MediationOrg, last: bool) -> str:
        rng = self.rng
        center = episode.center
        if not last and rng.random() < 0.15 and case.place:
            return f"纠纷现场（{case.place}）"
        if org.kind == Kind.PERSONAL_ROOM:
            return org.name
        if len(center) == 12:
            return f"{self.village_names.get(center, '')}调解室"
        if len(center) == 9:
            return f"{self.township_names.get(center, '')}综治中心调解室"
        return f"{org.name}调解室"

    def _attendees(self, case: CaseInfo, people: list[Mediator]) -> str:
        rng = self.rng
        parts = []
        labels = {Party.Role.APPLICANT: "申请人", Party.Role.RESPONDENT: "被申请人", Party.Role.THIRD_PARTY: "第三人"}
        for _id, role, kind, name, _number, _address in case.parties:
            text = f"{labels[role]}{name}"
            if kind == Party.PartyKind.ORGANISATION:
                text += f"（委托代理人{self.roster.person_name()}）"
            parts.append(text)
        parts.append("调解员" + "、".join(m.name for m in people))
        if len(case.center_code) >= 9 and rng.random() < 0.3:
            parts.append(rng.choice(["村（社区）调解主任", "网格员", "司法所工作人员", "法律顾问"]))
        return "；".join(parts)

    def _office(self, at: datetime, low: datetime, high: datetime) -> datetime:
        """A session is held in office hours: a time of night moves to the next morning, or else
        to the evening before, if that still lies between the assignment and the outcome."""
        local = timezone.localtime(at, self.tz)
        if 8 <= local.hour < 20:
            return at
        morning = case_demo._office_hours(local)
        if low < morning < high:
            return morning
        evening = local.replace(hour=19, minute=self.rng.randrange(60))
        if local.hour < 8:
            evening -= timedelta(days=1)
        return evening if low < evening < high else at

    @staticmethod
    def two_sides(case: CaseInfo) -> bool:
        """An agreement needs someone on the other side: a case with only its applicant (a risk
        defused by talking to the family) ends in an oral agreement at most."""
        return len({p[1] for p in case.parties}) >= 2

    def sessions(self, case: CaseInfo, episode: Episode, summary: str):
        """One to three sessions between the assignment and the outcome (or now)."""
        rng = self.rng
        start = episode.start
        end = episode.outcome_at or self.now
        span = (end - start).total_seconds()
        if span <= 1:
            return []
        if episode.outcome:
            limit = 1 if span < 4 * 3600 else 2 if span < 2 * 86400 else 3
            count = min(limit, rng.choices([1, 2, 3], weights=[5, 3.5, 1.5])[0])
        else:
            limit = 0 if span < 86400 else 1 if span < 5 * 86400 else 2
            count = min(limit, rng.choice([0, 1, 1, 2]))
        if count == 0:
            return []
        times = []
        if episode.outcome:
            # The deciding session shortly before the outcome was recorded.
            times.append(end - timedelta(seconds=span * rng.uniform(0.02, 0.12)))
            head = (times[0] - start).total_seconds()
            times += [
                start + timedelta(seconds=head * f) for f in sorted(rng.uniform(0.1, 0.85) for _ in range(count - 1))
            ]
        else:
            times += [start + timedelta(seconds=span * f) for f in sorted(rng.uniform(0.15, 0.9) for _ in range(count))]
        times = sorted({self._office(t, start, end) for t in times})
        names = {
            "a": case.first(Party.Role.APPLICANT, "申请人"),
            "r": case.first(Party.Role.RESPONDENT, "对方"),
        }
        out = []
        for index, held in enumerate(times):
            last = index == len(times) - 1
            people = episode.mediators
            org = people[0].org
            if last and episode.outcome == "resolve":
                outcome = Outcome.AGREED
                notes = rng.choice(AGREED_NOTES).format(summary=summary, **names)
                next_steps = rng.choice(AGREED_NEXT if summary != ORAL_SUMMARY else ORAL_NEXT)
            elif last and episode.outcome == "fail":
                if rng.random() < 0.2:
                    outcome, notes = Outcome.WITHDRAWN, rng.choice(WITHDRAWN_NOTES).format(**names)
                    next_steps = rng.choice(WITHDRAWN_NEXT)
                else:
                    outcome, notes = Outcome.FAILED, rng.choice(FAILED_NOTES).format(**names)
                    next_steps = rng.choice(FAILED_NEXT)
            else:
                outcome = Outcome.CONTINUE
                notes = rng.choice(CONTINUE_NOTES).format(**names)
                next_steps = rng.choice(CONTINUE_NEXT).format(n=rng.randint(3, 10))
            if last and episode.outcome:
                recorded = end  # recording the deciding session is what resolved (or failed) the case
            else:
                following = times[index + 1] if not last else end
                recorded = min(held + timedelta(minutes=rng.uniform(10, 120)), following, self.now)
            session = (  # in SESSIONS' fields
                case.id,
                held,
                self._place(case, episode, org, last)[:200],
                self._attendees(case, people),
                notes,
                next_steps,
                outcome,
                self.user_id,
                recorded,
            )
            out.append((session, people))
        return out

    # Agreements.
    def _terms(self, case: CaseInfo, signed: date, a: str, r: str) -> list["Term"]:
        rng = self.rng
        terms = []
        due = signed + timedelta(days=rng.randint(3, 30))
        on_the_spot = "当场履行" in (case.episodes[-1].outcome_note or "")
        in_instalments = "分期" in (case.episodes[-1].outcome_note or "") or rng.random() < 0.2
        if case.amount:
            what = _first(PAYMENTS, case.category, "款项")
            payer, payee = (a, r) if case.category.startswith("d-property-mgmt--fees") else (r, a)
            total = max(_hundreds(case.amount * Decimal(str(round(rng.uniform(0.45, 1.0), 2)))), Decimal(100))
            manner = rng.choice(MANNERS)
            if on_the_spot:
                text = ON_THE_SPOT_TERM.format(payer=payer, payee=payee, what=what, amount=_yuan(total))
                terms.append(Term(text=text, manner=manner, due_date=signed, amount=total))
            elif in_instalments and total >= 2000:
                parts = rng.choice([2, 2, 3])
                first = _hundreds(total / parts)
                amounts = [first] * (parts - 1) + [total - first * (parts - 1)]
                for n, amount in enumerate(amounts, start=1):
                    text = INSTALMENT_TERM.format(
                        payer=payer, payee=payee, due=_chinese_date(due), what=what, n=n, amount=_yuan(amount)
                    )
                    terms.append(Term(text=text, manner=manner, due_date=due, amount=amount))
                    due += timedelta(days=rng.choice([30, 30, 60]))
            else:
                text = PAYMENT_TERM.format(
                    payer=payer, payee=payee, due=_chinese_date(due), what=what, amount=_yuan(total)
                )
                terms.append(Term(text=text, manner=manner, due_date=due, amount=total))
        else:
            deed = _first(DEEDS, case.category)
            if deed:
                when = signed if on_the_spot else due
                terms.append(Term(text=deed.format(a=a, r=r, due=_chinese_date(when)), due_date=when))
        if not terms or (len(terms) < 3 and rng.random() < 0.5):
            last_due = max((t.due_date for t in terms), default=signed)
            terms.append(Term(text=CLOSING_TERM, due_date=last_due))
        for position, term in enumerate(terms, start=1):
            term.position = position
        return terms

    def agreement(self, case: CaseInfo, episode: Episode) -> tuple:
        rng = self.rng
        resolved = timezone.localtime(episode.outcome_at, self.tz)
        drafted = resolved + timedelta(minutes=rng.uniform(5, 60))
        if drafted.date() != resolved.date() or drafted > self.now:
            drafted = min(resolved + timedelta(seconds=30), self.now)
        signed_on = resolved.date()
        draft = (self.today - signed_on).days < DRAFT_DAYS and rng.random() < 0.6
        a = case.first(Party.Role.APPLICANT, "申请人")
        r = case.first(Party.Role.RESPONDENT, "被申请人")
        org = episode.mediators[0].org
        amount = f"人民币{_yuan(case.amount)}元" if case.amount else ""
        disputed = _first(DISPUTES, case.category, "双方就{title}一事存在争议，{a}要求{r}妥善解决，{r}对此有异议。")
        applied = _chinese_date(timezone.localtime(episode.start, self.tz).date())
        facts = f"申请人{a}与被申请人{r}因{case.title}一事发生纠纷，于{applied}申请调解。{case.facts}"
        if draft:
            updated = drafted
        else:
            scanned = drafted + timedelta(hours=rng.uniform(0.5, 72))
            updated = min(scanned, self.now)
        agreement = AgreementRow(
            case_id=case.id,
            org=org,
            center_code=episode.center,
            number="",
            year=drafted.year,
            serial=0,
            status=Agreement.State.DRAFT if draft else Agreement.State.SIGNED,
            facts=facts,
            disputed_matters=disputed.format(a=a, r=r, amount=amount or "相应款项", title=case.title),
            responsibilities=rng.choice(RESPONSIBILITIES).format(a=a, r=r),
            copies=max(3, len(case.parties) + 1),
            signed_at=None if draft else signed_on,
            drafted_by_id=self.user_id,
            created_at=drafted,
            updated_at=updated,
        )
        parties = [self._party(row) for row in case.parties]
        terms = self._terms(case, signed_on, a, r)
        if not draft:
            self._fulfil(terms, signed_on)
        return agreement, parties, terms, episode.mediators

    def _party(self, row) -> tuple:
        party_id, role, kind, name, id_number, address = row
        sex, birth = "", None
        if kind == Party.PartyKind.PERSON and len(id_number) == 18:
            try:  # what services._party_details reads (ric.get_birth_date, without its costly clean-up)
                birth = date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))
                sex = "男" if int(id_number[16]) % 2 else "女"
            except ValueError:
                birth = None
        legal, agent = "", ""
        if kind == Party.PartyKind.ORGANISATION:
            legal = self.roster.person_name()
            if self.rng.random() < 0.6:
                agent = self.roster.person_name()
        return (party_id, role, kind, name, sex, birth, id_number, address, legal, agent)  # AGREEMENT_PARTIES

    def _fulfil(self, terms: list["Term"], signed: date) -> None:
        """Once due (and a week for the check), most agreements were fulfilled, some partly, some
        not; what was paid on the spot was paid. The closing term follows the others."""
        rng = self.rng
        r = rng.random()
        fate = Fulfilment.FULFILLED if r < 0.82 else Fulfilment.PARTLY if r < 0.92 else Fulfilment.NOT
        notes = {Fulfilment.FULFILLED: FULFILLED_NOTES, Fulfilment.PARTLY: PARTLY_NOTES, Fulfilment.NOT: NOT_NOTES}
        checked = []
        for index, term in enumerate(terms):
            on_the_spot = term.due_date == signed and term.amount is not None
            if not on_the_spot and (self.today - term.due_date).days < CHECK_LAG_DAYS:
                continue  # not due yet, or not checked yet
            if term.text == CLOSING_TERM:
                worst = {t.fulfilment for t in checked}
                if len(checked) < len(terms) - 1:
                    continue  # the others are not all checked
                outcome = next((f for f in (Fulfilment.NOT, Fulfilment.PARTLY) if f in worst), Fulfilment.FULFILLED)
            elif on_the_spot or fate == Fulfilment.FULFILLED:
                outcome = Fulfilment.FULFILLED
            elif fate == Fulfilment.NOT:
                outcome = Fulfilment.NOT
            else:  # partly: the earlier instalments paid, the last one only in part
                later = any(t.text != CLOSING_TERM for t in terms[index + 1 :])
                outcome = Fulfilment.FULFILLED if later else Fulfilment.PARTLY
            term.fulfilment = outcome
            term.checked_at = min(term.due_date + timedelta(days=rng.randint(0, CHECK_LAG_DAYS)), self.today)
            if term.text == CLOSING_TERM:
                term.checked_at = max([term.checked_at, *(t.checked_at for t in checked)])
            term.fulfilment_note = rng.choice(notes[outcome])
            checked.append(term)

    def insert_agreements(self, rows: list[tuple]) -> None:
        rows.sort(key=lambda row: (row[0].created_at, row[0].case_id))
        serials: dict[tuple[int, int], int] = {}
        for agreement, _parties, _terms, _people in rows:
            key = (agreement.org.pk, agreement.year)
            serials[key] = serials.get(key, 0) + 1
            agreement.serial = serials[key]
            agreement.number = f"{agreement.org.short_name}人调〔{agreement.year}〕{agreement.serial}号"
        ids = AGREEMENTS.insert([row[0].row() for row in rows], returning=True)
        AGREEMENT_PARTIES.insert((pk, *party) for pk, row in zip(ids, rows, strict=True) for party in row[1])
        TERMS.insert((pk, *term.row()) for pk, row in zip(ids, rows, strict=True) for term in row[2])
        AGREEMENT_MEDIATORS.insert((pk, m.pk) for pk, row in zip(ids, rows, strict=True) for m in row[3])


# --- Planning -------------------------------------------------------------------------------------


def _county_places() -> list[CountyPlace]:
    """The counties that have townships, with their townships and villages, from the center tree."""
    rows = (
        Center.objects.filter(level__in=[Level.CITY, Level.COUNTY, Level.TOWNSHIP, Level.VILLAGE])
        .order_by("level", "code")
        .values_list("code", "id", "name", "level")
    )
    cities: dict[str, str] = {}
    counties: dict[str, CountyPlace] = {}
    for code, center_id, name, level in rows:
        if level == Level.CITY:
            cities[code] = name
        elif level == Level.COUNTY:
            counties[code] = CountyPlace(code, name, center_id, code[:4], cities.get(code[:4], ""))
        elif level == Level.TOWNSHIP and code[:6] in counties:
            counties[code[:6]].townships.append((code, name, center_id))
        elif level == Level.VILLAGE and code[:6] in counties:
            counties[code[:6]].villages[code] = name
    return [county for county in counties.values() if county.townships]


def _reserved() -> dict[str, list[str]]:
    """Roster places for the demo logins: the demo mediator on its township's committee, the demo
    chief legal consultant on its county's expert team (names as the logins spell them)."""
    from govcenter.demo import DEMO_USERS

    reserved: dict[str, list[str]] = {}
    for _username, display, role, code, _department in DEMO_USERS:
        name = display.split()[-1]
        if role == Role.MEDIATOR and len(code) == 9:
            reserved.setdefault(code, []).append(name)
        elif role == Role.EXPERT and len(code) == 6:
            reserved.setdefault(f"expert:{code}", []).append(name)
    return reserved


def _case_loads() -> dict[str, int]:
    """The number of cases of each county."""
    return dict(
        Case.objects.order_by().values_list("county_code").annotate(n=Count("id")).values_list("county_code", "n")
    )


def _province_shares(counties: list[CountyPlace], loads: dict[str, int]) -> dict[str, dict[str, int]]:
    """The reported totals spread over the counties by their caseload (their number of townships
    where they have no cases)."""
    weights = [loads.get(c.code) or len(c.townships) for c in counties]
    townships = [len(c.townships) for c in counties]
    columns = {
        "committees": _apportion(REPORTED["committees"], weights, 1, townships),
        "industry": _apportion(REPORTED["industry"], weights, 2, [len(INDUSTRY_FIELDS)] * len(counties)),
        "court": _apportion(REPORTED["court_mediators"], weights, 2),
        "rooms": _apportion(REPORTED["personal_rooms"], weights, 1),
    }
    return {c.code: {key: values[i] for key, values in columns.items()} for i, c in enumerate(counties)}


def _busiest_townships(county: CountyPlace) -> list[str]:
    counts: dict[str, int] = {code: 0 for code, _name, _pk in county.townships}
    for origin in Case.objects.filter(county_code=county.code).values_list("origin_code", flat=True).iterator():
        if origin[:9] in counts:
            counts[origin[:9]] += 1
    return sorted(counts, key=lambda code: (-counts[code], code))


def _plan(county: CountyPlace, rng, share: dict[str, int] | None, reserved: dict[str, list[str]]) -> Plan:
    """One county's share of the reported roster (`share` at province scale), with the floors of the
    smaller scales: a committee at every township and a few of each other kind."""
    townships = [code for code, _name, _pk in county.townships]
    if share is None:
        committees = townships
        industry = rng.choice([5, 6, 6, 7])
        court = rng.choices([3, 4], weights=[2, 1])[0]  # 291 / 87 ≈ 3.3
        rooms = rng.choices([1, 2, 3], weights=[0.15, 0.25, 0.6])[0]  # 238 / 87 ≈ 2.7
    else:
        wanted = [code for code in townships if code in reserved]
        busiest = [code for code in _busiest_townships(county) if code not in wanted]
        chosen = set(wanted + busiest[: max(0, share["committees"] - len(wanted))])
        committees = [code for code in townships if code in chosen]
        industry, court, rooms = share["industry"], share["court"], share["rooms"]
    if industry <= CORE_FIELDS:
        picked = sorted(rng.sample(range(CORE_FIELDS), industry))
        fields = [INDUSTRY_FIELDS[i] for i in picked]
    else:
        fields = INDUSTRY_FIELDS[:CORE_FIELDS] + rng.sample(INDUSTRY_FIELDS[CORE_FIELDS:], industry - CORE_FIELDS)
    return Plan(
        committees=committees,
        committee_sizes=rng.choices(*COMMITTEE_SIZES, k=len(committees)),
        industry_fields=fields,
        industry_sizes=rng.choices(*INDUSTRY_SIZES, k=len(fields)),
        court_size=court,
        personal_rooms=rooms,
        expert_size=rng.randint(4, 6),
        social_size=rng.randint(6, 12),
    )


# --- Entry points ---------------------------------------------------------------------------------


def seed(ctx) -> None:
    started = time.perf_counter()
    now = case_demo._now()
    counties = _county_places()
    if not counties:
        ctx.say("  mediation: no townships, nothing to do")
        return
    seeded = {code[:6] for code in MediationOrg.objects.values_list("center_code", flat=True).distinct()}
    category_ids = dict(Category.objects.values_list("code", "id"))
    used_short = set(MediationOrg.objects.values_list("short_name", flat=True))
    reserved = _reserved()
    loads = _case_loads()
    shares = _province_shares(counties, loads) if ctx.scale == "province" else {}
    totals = {"organisations": 0, "mediators": 0, "assignments": 0, "sessions": 0, "agreements": 0}
    # The rosters first, here and in the counties' order: short names must differ across the province.
    rosters = []
    for county in counties:
        if county.code in seeded:
            ctx.say(f"  mediation {county.code} {county.name}: has its roster already, skipped")
            continue
        rng = ctx.rng_for(f"mediation:{county.code}")
        plan = _plan(county, rng, shares.get(county.code), reserved)
        roster = Roster(county, category_ids, used_short, rng)
        roster.build(plan, {code: name for code, name, _pk in county.townships}, reserved)
        rosters.append(roster)
    user_id = import_user().pk if rosters else None

    def seed_county(roster: Roster, say) -> dict[str, int]:
        county = roster.county
        with transaction.atomic():
            mediators = roster.insert()
            mediation = Mediation(roster, user_id, now)  # goes on drawing from the roster's generator
            mediation.run()
        counts = {"organisations": len(roster.orgs), "mediators": mediators, **mediation.counts}
        say(
            f"  mediation {county.code} {county.name}: {counts['organisations']} organisations,"
            f" {mediators} mediators, {counts['assignments']:,} assignments, {counts['sessions']:,} sessions,"
            f" {counts['agreements']:,} agreements"
        )
        return counts

    # Nothing reads these tables while they are loaded: without their other indexes and foreign keys.
    loaded = (Assignment, MediationSession, MediationSession.mediators.through, Agreement, AgreementParty)
    with bulk.indexes_deferred(*loaded, AgreementTerm, Agreement.mediators.through) if rosters else nullcontext():
        for counts in in_workers(ctx, rosters, seed_county, size=lambda roster: loads.get(roster.county.code, 0)):
            for key, value in counts.items():
                totals[key] += value
    ctx.timings["mediation"] = time.perf_counter() - started
    ctx.say(
        f"  mediation: {totals['organisations']:,} organisations, {totals['mediators']:,} mediators,"
        f" {totals['agreements']:,} agreements new in {ctx.timings['mediation']:.1f} s"
    )


def after_users(ctx) -> None:
    """The demo mediator's desk: its roster entry on the demo township's committee (the user set on
    it), a few open cases of the township in mediation assigned to it (the assignment step, the
    Assignment row and the grant, as `services.assign` gives them), and the grant on every case
    its roster entry is still assigned to."""
    from cases.services.core import Step, apply_step, start_verb
    from govcenter import access
    from govcenter.access import Action
    from govcenter.demo import DEMO_COUNTY, DEMO_TOWNSHIP
    from govcenter.divisions import subtree_q

    User = get_user_model()
    user = User.objects.filter(username="mediator").first()
    committee = (
        MediationOrg.objects.filter(center_code=DEMO_TOWNSHIP, kind=Kind.COMMITTEE, is_active=True)
        .order_by("pk")
        .first()
    )
    if user is None or committee is None:
        return
    name = (user.first_name or user.username).split()[-1]
    mediator = Mediator.objects.filter(user=user).first()
    if mediator is None:
        mediator = committee.mediators.filter(name=name, user__isnull=True).order_by("pk").first()
        if mediator is None:
            mediator = Mediator.objects.create(org=committee, center_code=committee.center_code, name=name)
            mediator.specialties.set(Category.objects.filter(code__in=["d-neighbour", "d-marriage"]))
        mediator.user, mediator.is_active = user, True
        mediator.save(update_fields=["user", "is_active"])

    now = case_demo._now()
    rng = ctx.rng_for("mediation:desk")
    users = {u.username: u for u in User.objects.filter(username__in=["clerk", "director"])}
    live = Assignment.objects.filter(mediator=mediator, ended_at__isnull=True)
    on_desk = live.filter(case__status__in=OPEN_STATUSES).count()
    mine = live.values("case_id")
    assignable = [Status.CLASSIFIED, Status.FAILED, Status.REOPENED]
    added = 0
    for where, statuses in (
        (DEMO_TOWNSHIP, [Status.IN_MEDIATION]),
        (DEMO_TOWNSHIP, assignable),
        (DEMO_COUNTY, [Status.IN_MEDIATION]),
        (DEMO_COUNTY, assignable),
    ):
        if on_desk + added >= DESK_SIZE:
            break
        candidates = (
            Case.objects.filter(subtree_q("center_code", where), status__in=statuses, kind__in=["dispute", "risk"])
            .exclude(pk__in=Subquery(mine))
            .order_by("-received_at", "pk")[: DESK_SIZE - on_desk - added]
        )
        for case in candidates:
            actor = users.get("clerk") if case.center_code.startswith(DEMO_TOWNSHIP) else None
            actor = actor if actor is not None and access.can(actor, Action.CASE_ASSIGN_MEDIATOR, case) else None
            actor = actor or users.get("director")
            if actor is None:
                return
            with transaction.atomic():
                case = start_verb(case, actor, "assign-mediator", None)
                last = case.updated_at
                span = max(0.0, (now - last).total_seconds())
                at = last + timedelta(seconds=span * rng.uniform(0.3, 0.9)) if span > 60 else now
                Assignment.objects.create(case=case, mediator=mediator, assigned_by=actor, assigned_at=at, reasons=[])
                step = Step("assign-mediator", Status.IN_MEDIATION, data={"mediators": [mediator.name]})
                apply_step(case, actor, step, now=at)
            added += 1
    granted = 0
    for case in Case.objects.filter(pk__in=Subquery(live.values("case_id"))):
        access.grant(user, Action.CASE_RESOLVE, case)
        granted += 1
    ctx.say(f"  demo users: the mediator {mediator.name} has {granted} cases ({added} newly assigned)")
