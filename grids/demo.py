"""Demo grids (网格) for the demo villages and communities, the people who walk them and their visits.

`seed_demo` calls `seed(ctx)` after the core has built the center tree and before the cases. Every
county that has townships gets, all as the services would have written it but inserted with
`bulk_create`:

- grids under each village and community (about 2.2 on average): urban grids of mostly 300–500
  households in communities and urban villages (the few outside the rule flagged with the reason
  `grids.models.size_check` gives, half of them explained by the center), one rural grid per
  village group elsewhere, now and then a school, market or industrial-park grid; most carry all six
  duties (多网合一);
- a grid worker for each grid (a login `gw` + the grid's code, a grid-worker membership at the
  village), about one in ten part-time; a few grids lost their worker, a few show who walked them
  before the current one;
- two to four police grids (警格) per township, each over a block of its villages, with the auxiliary
  officers stationed in 80–97% of the villages (the share differs by township: 一村一辅警 coverage);
- the county's assessment weights, the defaults with small variations;
- the workers' patrol visits over the last twelve months (the last two at province scale, fewer a
  month, to keep the volume bounded), in office hours, about one in eight with something found.

Deterministic and idempotent as the cases are: each township draws from a generator of its own
(`ctx.rng_for("grids:<township>")`), the visits of each grid from theirs, and a county is seeded whole
or not at all in one transaction; a county that already has grids is skipped, so a second run adds
nothing. `after_users(ctx)` puts the demo login `grid` on the first two grids of the demo village.
"""

import bisect
import time
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone

from govcenter import bulk
from govcenter.demo import DEMO_PASSWORD, DEMO_VILLAGE, given_timestamps, import_user, in_workers
from govcenter.divisions import Level
from govcenter.models import Center, Department, Membership, Role
from govcenter.workdays import WorkCalendar
from grids.models import (
    AssessmentPolicy,
    AuxiliaryOfficer,
    Duty,
    Employment,
    Finding,
    Grid,
    GridAssignment,
    GridKind,
    PoliceGrid,
    SizeFlag,
    Visit,
    VisitTarget,
    size_check,
)

BATCH_SIZE = 2_000  # rows per INSERT statement (SQLite lowers it further to fit its parameter limit)
WORKER_PREFIX = "gw"  # a grid worker's login: gw + the grid's code (+ "p" for the one before)
DEMO_WORKER = "grid"  # the demo login govcenter.demo creates at DEMO_VILLAGE

# Months of visits, and visits a month of a full-time and a part-time worker, by scale.
VISITS = {
    "small": (12, (12, 25), (5, 11)),
    "county": (12, (12, 25), (5, 11)),
    "province": (2, (7, 10), (3, 6)),
}
# Chances of 1, 2, 3 and 4 grids under a community (or urban village) and under a rural village.
GRIDS_PER_VILLAGE = {True: (15, 45, 30, 10), False: (25, 40, 30, 5)}
URBAN_VILLAGE = 0.35  # of the villages of a district's towns: 城中村, laid out in urban grids
SPECIAL = 0.08  # of the villages with two grids or more: the last is a school, market or park grid
SMALL, LARGE = 0.035, 0.035  # of the urban grids: outside the 300–500 rule
PART_TIME = 0.10
VACANT = 0.03  # of the grids: the worker left and nobody took over yet
HISTORY = 0.05  # of the grids: the current worker took over from another
RECENT = 0.12  # of the other grids: the worker started within the last year
BUILDINGS_PER_GRID = 10  # an urban grid's buildings: serial 2 covers buildings 11 to 20
OFFICE_MINUTES = ((510, 710), (870, 1070))  # 8:30–11:50 and 14:30–17:50
FINDING_SHARES = ((Finding.NOTHING, 0.88), (Finding.REQUEST, 0.05), (Finding.DISPUTE, 0.045), (Finding.RISK, 0.025))
TARGET_SHARES = (
    (VisitTarget.HOUSEHOLD, 0.70),
    (VisitTarget.PLACE, 0.12),
    (VisitTarget.BUSINESS, 0.10),
    (VisitTarget.PERSON, 0.08),
)

CN = "〇一二三四五六七八九十"
SURNAMES = (
    "王王王王李李李张张张刘刘陈陈杨杨马马马赵周吴孙高郭何罗魏韩冯"
    + "董牛石田段苏白朱胡徐郑谢唐程曹袁邓许彭吕蒋蔡贾丁薛"
)
FEMALE = "娜丽静敏燕芳霞艳红梅兰英秀玲婷雪琴慧洁萍娟蓉"
MALE = "伟强磊军勇杰涛明斌超刚平辉鹏华建国东海峰亮"
SYLLABLES = "安平和兴隆丰泰宁康永定华新东西南北中山河川源泉林桥湾坪塬岭金银玉龙凤云阳明清长富春红柳杨松柏"

SCHOOLS = ("中心小学", "初级中学", "九年制学校", "中心幼儿园")
MARKETS = ("农贸市场", "商贸市场", "建材市场", "牛羊交易市场")
PARKS = ("工业园区", "物流园区", "农产品加工园区")
SHOPS_URBAN = ("便民超市", "五金店", "小餐馆", "理发店", "药店", "快递驿站", "洗车店", "水果店")
SHOPS_RURAL = ("小卖部", "农资店", "村卫生室", "磨坊", "养殖场", "农家乐")
SPOTS_URBAN = ("小区东门", "地下车库", "小区广场", "物业服务中心", "楼下花园", "小区南门", "垃圾收集点")
SPOTS_RURAL = ("村委会", "文化广场", "村小学门口", "村口", "水渠边", "打麦场", "村卫生室")
SPOTS = {
    GridKind.SCHOOL: ("学校门口", "学生宿舍", "学校食堂", "操场", "校园周边商店"),
    GridKind.MARKET: ("市场出入口", "冷库", "市场管理办公室", "停车场", "摊位区"),
    GridKind.INDUSTRIAL: ("园区门卫室", "职工宿舍", "仓库", "园区食堂", "在建厂房"),
}

SIZE_NOTES = {
    SizeFlag.LARGE: (
        "高层住宅小区，楼栋集中",
        "整建制回迁安置小区，不宜拆分",
        "单一物业小区，封闭管理",
        "楼栋连片，拆分后巡查路线交叉",
    ),
    SizeFlag.SMALL: (
        "老旧平房片区，住户分散",
        "棚户区改造中，住户陆续搬迁",
        "单位家属院，相对独立",
        "临街商住混合，户数少商户多",
    ),
}

LEAVING = (
    "本人辞职",
    "考入事业单位，离开网格",
    "外出务工，申请离职",
    "到龄退休",
    "家庭原因辞职",
    "年度考核不合格，予以解聘",
    "调任村（居）委会工作",
)

NOTHING_NOTES = (
    "入户走访，家庭情况正常",
    "宣传反诈知识，发放宣传单",
    "了解独居老人近况，身体健康",
    "核对常住人口信息",
    "宣传森林草原防火知识",
    "检查出租屋消防设施，未发现问题",
    "宣传城乡居民医保缴费政策",
    "走访重点人员，情况稳定",
    "排查矛盾纠纷，未发现新情况",
    "宣传防溺水安全知识",
    "巡查商铺消防安全，无异常",
    "核查流动人口登记信息",
)

NOTES = {
    Finding.REQUEST: (
        "独居老人反映取暖煤炭不足，希望村里协调解决",
        "低保户询问今年低保年审需要准备哪些材料",
        "居民反映楼道照明灯损坏多日无人维修",
        "残疾人家属咨询残疾人两项补贴申领流程",
        "村民反映自来水管冻裂，家中停水两天",
        "居民反映小区化粪池外溢，气味难闻",
        "高龄老人申请上门办理养老保险资格认证",
        "家长外出务工，请求关注留守儿童上学接送",
        "居民反映单元门禁损坏，外来人员随意进出",
        "村民咨询危房改造补助政策及申请条件",
        "居民反映路灯不亮，夜间出行不便",
        "困难家庭反映子女上大学学费有困难，咨询助学贷款",
        "居民反映小区垃圾清运不及时，堆放多日",
        "村民反映村道被雨水冲毁，车辆无法通行",
        "退役军人咨询优待证办理事宜",
        "居民反映楼上漏水至家中，物业未处理",
        "孕妇家属咨询生育保险报销手续",
        "村民反映灌溉水渠淤堵，影响春灌",
        "失业人员希望获得就业岗位信息和技能培训",
        "居民反映电梯频繁故障，老人出行困难",
        "村民反映家中电线老化，请求供电所检修",
        "空巢老人希望安排志愿者定期上门探望",
        "居民反映小区供暖温度不达标",
        "村民咨询城乡居民医保缴费及大病报销比例",
        "重病患者家属申请临时救助",
        "居民反映占道经营摊点影响出行",
        "村民反映手机信号差，请求协调通信基站",
        "居民询问老旧小区改造的时间安排",
        "村民反映养殖场粪污异味严重，影响生活",
        "独居老人反映家中燃气灶漏气，请求检修",
    ),
    Finding.DISPUTE: (
        "邻里因排水沟堵塞发生争执，双方情绪激动",
        "两户村民因宅基地界址不清发生纠纷",
        "楼上楼下因噪音问题多次争吵",
        "兄弟二人因老人赡养费用分摊产生矛盾",
        "村民因土地流转租金未按时支付与承包人发生纠纷",
        "业主与物业公司因物业费收取标准产生争议",
        "夫妻因家庭琐事争吵，女方回娘家居住",
        "两户因树木遮挡采光发生争执",
        "务工人员反映包工头拖欠工资三个月",
        "邻居在公共楼道堆放杂物引发矛盾",
        "村民因牛羊啃食庄稼与邻户发生争吵",
        "租户与房东因押金退还问题产生纠纷",
        "两家因小孩打闹引发大人争吵",
        "村民因灌溉用水先后顺序发生口角",
        "婆媳因家务分工长期不和",
        "业主违规搭建阳光房，邻居不满投诉",
        "相邻两户因围墙修建越界发生纠纷",
        "车辆剐蹭后双方就赔偿金额协商不成",
        "商户与顾客因商品质量问题发生争执",
        "村民因林地权属不清与邻村村民发生争议",
        "居民饲养宠物狗扰民，邻里关系紧张",
        "亲戚间借款到期未还，双方多次争吵",
        "村民因道路通行权与邻户发生矛盾",
        "业主装修损坏楼下房屋，赔偿未谈妥",
        "兄妹因父母遗留房屋分配产生纠纷",
        "停车位被长期占用引发邻里争吵",
        "村民反映邻户屋顶排水直接流入自家院内",
        "合伙经营的小饭馆因分账问题发生矛盾",
        "村民因坟地占用耕地与他人发生争执",
        "离婚后双方因孩子探视问题发生争执",
    ),
    Finding.RISK: (
        "某户男子酒后扬言报复，需重点关注",
        "独居精神障碍患者近期停药，情绪不稳定",
        "出租屋内私拉电线给电动车充电，存在火灾隐患",
        "某户夫妻长期争吵，邻居听到打骂声，疑似家暴",
        "老人近期多次接到陌生电话要求转账，疑似电信诈骗",
        "沿街门店存放大量液化气罐，存在安全隐患",
        "村民因征地补偿不满，扬言要到省上上访",
        "一名青年沉迷网络赌博，欠下外债，家人担忧",
        "河道边护栏缺失，儿童常在附近玩耍",
        "某自建房加层后墙体出现裂缝",
        "刑满释放人员近期返乡，尚未落实帮教措施",
        "多名务工人员聚集讨薪，情绪激动",
        "小区消防通道被杂物堵塞",
        "村民家中土坯房年久失修，雨季有倒塌风险",
        "某户男子因债务纠纷多次与对方发生肢体冲突",
        "一名学生近期情绪低落，家长反映有轻生言论",
        "废弃机井未封盖，存在坠落风险",
        "邻里纠纷反复调解未果，一方扬言“要出人命”",
        "山体边坡出现落石，下方有住户",
        "有人在村内推销高息理财产品，疑似非法集资",
        "社区内有群租房，人员流动大、底数不清",
        "独居老人多日未出门，敲门无人应答",
        "某户在院内焚烧秸秆，临近柴草堆",
        "一男子因离婚纠纷多次到前妻家中滋扰",
        "冬季用煤炉取暖未安装烟囱，有一氧化碳中毒风险",
        "电动车违规停放在楼道内充电",
        "村内危桥护栏损毁，车辆通行存在隐患",
        "精神障碍患者家属反映其近期有攻击行为",
        "外来人员在村内收购旧物，行迹可疑",
        "两家因宅基地纠纷积怨已久，近期冲突升级",
    ),
}

# Words that place a note in a town or in the country: an urban grid's visits do not find sheep in the
# corn, a village group's no lifts; a school, market or park grid gets the notes that fit anywhere.
TOWN_WORDS = ("小区", "楼", "业主", "物业", "电梯", "居民", "群租", "停车位", "门店", "沿街", "门禁", "供暖")
COUNTRY_WORDS = ("村", "庄稼", "牛羊", "灌溉", "宅基地", "土坯", "秸秆", "机井", "林地", "坟地", "水渠", "土地", "养殖")
SETTING_WORDS = {"town": COUNTRY_WORDS, "country": TOWN_WORDS, "special": TOWN_WORDS + COUNTRY_WORDS}
SETTING_NOTES = {
    (finding, setting): tuple(note for note in notes if not any(word in note for word in words))
    for finding, notes in {**NOTES, Finding.NOTHING: NOTHING_NOTES}.items()
    for setting, words in SETTING_WORDS.items()
}

# Assessment weights: (visits target, findings target, visits, findings, on time, warnings); the
# defaults first and most often, the variations counties made.
POLICIES = (
    (20, 2, 40, 20, 25, 15),
    (20, 2, 40, 20, 25, 15),
    (20, 2, 40, 20, 25, 15),
    (20, 3, 35, 25, 25, 15),
    (24, 2, 40, 20, 25, 15),
    (16, 2, 40, 20, 30, 10),
    (20, 2, 45, 15, 25, 15),
    (30, 3, 35, 20, 30, 15),
)


def _now() -> datetime:
    """The moment the visits are generated up to (tests replace it, as with cases.demo._now)."""
    return timezone.now()


def _pick(rng, shares):
    r = rng.random()
    for value, share in shares:
        r -= share
        if r < 0:
            return value
    return shares[0][0]


def _name(rng, female: bool | None = None) -> str:
    female = rng.random() < 0.5 if female is None else female
    chars = FEMALE if female else MALE
    given = rng.choice(chars) + (rng.choice(chars) if rng.random() < 0.7 else "")
    return rng.choice(SURNAMES) + given


def _phone(rng) -> str:
    return rng.choice(("138", "139", "151", "158", "177", "189", "133", "181")) + f"{rng.randrange(10**8):08d}"


def _road(rng) -> str:
    return rng.choice(SYLLABLES) + rng.choice(SYLLABLES) + rng.choice(("路", "路", "街", "巷", "大道"))


def _group(serial: int) -> str:
    return f"{CN[serial]}组" if serial <= 10 else f"{serial}组"


# --- Layout: grids, workers, police grids ---------------------------------------------------------


@dataclass
class Village:
    code: str
    id: int
    name: str


@dataclass
class Township:
    code: str
    id: int
    name: str
    villages: list[Village] = field(default_factory=list)


@dataclass
class County:
    code: str
    id: int
    name: str
    townships: list[Township] = field(default_factory=list)


@dataclass
class Spell:
    """A worker on a grid from `started` until `ended` (None: still there)."""

    username: str
    name: str
    started: datetime
    ended: datetime | None = None
    reason: str = ""


@dataclass
class Seat:
    """A grid and who walked it, oldest first; `rate` is visits a month."""

    grid: Grid
    village: Village
    employment: str
    rate: float
    spells: list[Spell]


class CountyGrids:
    """The grids of one county, with everything on them, built in memory and inserted in one go."""

    def __init__(self, seeder: "Seeder", county: County):
        self.seeder = seeder
        self.county = county
        self.police: list[PoliceGrid] = []
        self.auxiliaries: list[tuple[AuxiliaryOfficer, PoliceGrid]] = []
        self.seats: list[Seat] = []
        self.grid_police: list[PoliceGrid] = []  # the police grid of each seat's grid

    def lay_out(self) -> None:
        urban_county = self.county.name.endswith("区")
        for township in self.county.townships:
            if township.villages:
                self._township(township, urban_county)

    def _township(self, township: Township, urban_county: bool) -> None:
        rng = self.seeder.ctx.rng_for(f"grids:{township.code}")
        street = township.name.endswith("街道")
        short = township.name.removesuffix("街道").removesuffix("镇").removesuffix("乡") or township.name
        villages = township.villages
        count = min(len(villages), rng.randint(2, 4))
        police = [
            PoliceGrid(
                center_id=township.id,
                center_code=township.code,
                station_id=self.seeder.stations.get(township.code),
                name=f"{short}派出所第{CN[index + 1]}警格",
                officer_name=_name(rng, female=rng.random() < 0.15),
                officer_phone=_phone(rng),
            )
            for index in range(count)
        ]
        self.police += police
        # Each police grid over a block of neighbouring villages (the codes run along the roads).
        cuts = sorted(rng.sample(range(1, len(villages)), count - 1))
        blocks = [0] * len(villages)
        for cut in cuts:
            for index in range(cut, len(villages)):
                blocks[index] += 1
        coverage = rng.uniform(0.80, 0.97)  # 一村一辅警: how far this township got
        for village, block in zip(villages, blocks, strict=True):
            urban = village.name.endswith("社区") or (urban_county and not street and rng.random() < URBAN_VILLAGE)
            for grid in self._grids(rng, village, urban):
                self.seats.append(self._seat(rng, grid, village))
                self.grid_police.append(police[block])
            if rng.random() < coverage:
                for _ in range(2 if rng.random() < 0.05 else 1):
                    officer = AuxiliaryOfficer(
                        village_id=village.id,
                        village_code=village.code,
                        name=_name(rng, female=rng.random() < 0.2),
                        phone=_phone(rng),
                    )
                    self.auxiliaries.append((officer, police[block]))

    def _grids(self, rng, village: Village, urban: bool) -> list[Grid]:
        count = rng.choices((1, 2, 3, 4), weights=GRIDS_PER_VILLAGE[urban])[0]
        if village.code == DEMO_VILLAGE:
            count = max(count, 3)  # two for the demo login and one beside them
        special = None
        if count > 1 and rng.random() < SPECIAL:
            special = rng.choice((GridKind.SCHOOL, GridKind.MARKET) + (() if urban else (GridKind.INDUSTRIAL,)))
        grids = []
        for serial in range(1, count + 1):
            kind = special if special and serial == count else GridKind.URBAN if urban else GridKind.RURAL
            grids.append(self._grid(rng, village, serial, kind))
        return grids

    def _grid(self, rng, village: Village, serial: int, kind: str) -> Grid:
        if kind == GridKind.URBAN:
            r = rng.random()
            households = (
                rng.randint(150, 299)
                if r < SMALL
                else rng.randint(501, 820)
                if r < SMALL + LARGE
                else rng.randint(300, 500)
            )
            name = f"{village.name}第{serial}网格"
            first = (serial - 1) * BUILDINGS_PER_GRID + 1
            boundary = (
                f"东至{_road(rng)}，西至{_road(rng)}，南至{_road(rng)}，北至{_road(rng)}；"
                f"含{first}至{first + BUILDINGS_PER_GRID - 1}号楼"
            )
        elif kind == GridKind.RURAL:
            households = rng.randint(50, 200)
            name = f"{village.name}{_group(serial)}网格"
            east = _group(serial + 1) + "地界"
            west = _group(serial - 1) + "地界" if serial > 1 else rng.choice(SYLLABLES) + "家沟"
            boundary = (
                f"东至{east}，西至{west}，南至{rng.choice(('县道', '乡道', '国道', '引水渠'))}，"
                f"北至{rng.choice(SYLLABLES)}{rng.choice(('山脚', '河', '梁', '林带'))}"
            )
        else:
            households = {GridKind.SCHOOL: (10, 60), GridKind.MARKET: (20, 120)}.get(kind, (30, 180))
            households = rng.randint(*households)
            place = rng.choice({GridKind.SCHOOL: SCHOOLS, GridKind.MARKET: MARKETS}.get(kind, PARKS))
            name = f"{village.name}{place}网格"
            boundary = f"东至{_road(rng)}，西至{_road(rng)}，南至{_road(rng)}，北至{_road(rng)}；{place}围墙以内"
        flag = size_check(kind, households)[0]
        note = rng.choice(SIZE_NOTES[flag]) if flag and rng.random() < 0.5 else ""
        duties = list(Duty.values)
        if rng.random() < 0.2:  # not every network has joined yet: keep governance and political-legal
            for duty in rng.sample([Duty.PARTY, Duty.CIVIL_AFFAIRS, Duty.MARKET, Duty.HEALTH], rng.randint(1, 2)):
                duties.remove(duty)
        return Grid(
            code=f"{village.code}{serial:03d}",
            center_id=village.id,
            center_code=village.code,
            serial=serial,
            name=name,
            kind=kind,
            households=households,
            residents=max(households, round(households * rng.uniform(2.3, 3.2))),
            boundary=boundary,
            duties=duties,
            size_flag=flag,
            size_note=note,
        )

    def _seat(self, rng, grid: Grid, village: Village) -> Seat:
        employment = Employment.PART_TIME if rng.random() < PART_TIME else Employment.FULL_TIME
        low, high = self.seeder.rates[employment]
        username = f"{WORKER_PREFIX}{grid.code}"
        r = rng.random()
        if r < VACANT:  # the worker left a while ago, nobody took over yet
            spells = [Spell(username, _name(rng, rng.random() < 0.6), self._day(rng, 400, 2900))]
            spells[0].ended, spells[0].reason = self._day(rng, 7, 150), rng.choice(LEAVING)
        elif r < VACANT + HISTORY:  # the current worker took over from another
            handover = self._day(rng, 30, 330)
            before = Spell(username + "p", _name(rng, rng.random() < 0.6), self._day(rng, 900, 2900), handover)
            before.reason = rng.choice(LEAVING)
            spells = [before, Spell(username, _name(rng, rng.random() < 0.6), handover)]
        else:
            started = self._day(rng, 20, 360) if rng.random() < RECENT else self._day(rng, 400, 2900)
            spells = [Spell(username, _name(rng, rng.random() < 0.6), started)]
        return Seat(grid, village, employment, rng.uniform(low, high), spells)

    def _day(self, rng, low: int, high: int) -> datetime:
        """Nine in the morning, some `low` to `high` days ago."""
        day = self.seeder.today - timedelta(days=rng.randint(low, high))
        return datetime(day.year, day.month, day.day, 9, tzinfo=self.seeder.tz)

    # Insert, in the order the foreign keys need.
    def insert(self) -> tuple[int, int]:
        seeder = self.seeder
        PoliceGrid.objects.bulk_create(self.police, batch_size=BATCH_SIZE)
        grids = [seat.grid for seat in self.seats]
        for grid, police in zip(grids, self.grid_police, strict=True):
            grid.police_grid_id = police.pk
        Grid.objects.bulk_create(grids, batch_size=BATCH_SIZE)
        for officer, police in self.auxiliaries:
            officer.police_grid_id = police.pk
        AuxiliaryOfficer.objects.bulk_create([officer for officer, _police in self.auxiliaries], batch_size=BATCH_SIZE)

        User = get_user_model()
        spells = [(seat, spell) for seat in self.seats for spell in seat.spells]
        usernames = [spell.username for _seat, spell in spells]
        ids = dict(User.objects.filter(username__in=usernames).values_list("username", "id"))
        left = {spell.username for seat, spell in spells if spell.ended is not None}
        new = [
            User(
                username=spell.username,
                first_name=f"网格员 {spell.name}",
                password=seeder.password,
                is_active=spell.username not in left,
            )
            for _seat, spell in spells
            if spell.username not in ids
        ]
        User.objects.bulk_create(new, batch_size=BATCH_SIZE)
        ids.update((user.username, user.pk) for user in new)
        Membership.objects.bulk_create(
            [
                Membership(
                    user_id=ids[spell.username],
                    center_id=seat.village.id,
                    center_code=seat.village.code,
                    role=Role.GRID_WORKER,
                    is_active=spell.username not in left,
                    created_by=None,
                )
                for seat, spell in spells
            ],
            batch_size=BATCH_SIZE,
            ignore_conflicts=True,
        )
        GridAssignment.objects.bulk_create(
            [
                GridAssignment(
                    grid_id=seat.grid.pk,
                    center_code=seat.grid.center_code,
                    worker_id=ids[spell.username],
                    employment=seat.employment,
                    started_at=spell.started,
                    ended_at=spell.ended,
                    assigned_by_id=seeder.importer_id,
                    ended_by_id=seeder.importer_id if spell.ended else None,
                    end_reason=spell.reason,
                )
                for seat, spell in spells
            ],
            batch_size=BATCH_SIZE,
        )
        visits = 0
        for start in range(0, len(self.seats), 500):  # a few thousand visits per insert
            rows = [
                visit
                for seat in self.seats[start : start + 500]
                for spell in seat.spells
                for visit in seeder.visits(seat.grid, seat.rate, ids[spell.username], spell)
            ]
            insert_visits(rows)
            visits += len(rows)
        return len(spells), visits


# --- Visits ---------------------------------------------------------------------------------------


class Seeder:
    """What every county shares: the moment, the period of visits, its days, the password hash."""

    def __init__(self, ctx):
        self.ctx = ctx
        self.now = _now()
        self.tz = timezone.get_current_timezone()
        self.today = timezone.localtime(self.now, self.tz).date()
        months, full_time, part_time = VISITS.get(ctx.scale, VISITS["small"])
        self.rates = {Employment.FULL_TIME: full_time, Employment.PART_TIME: part_time}
        self.start = self.now - timedelta(days=round(months * 30.44))
        self.days = _days(timezone.localtime(self.start, self.tz).date(), self.today)
        calendar = WorkCalendar.load(self.days[0].year, self.today.year)
        # A worker walks on weekends and holidays too, but seldom.
        self.day_cum = _cumulative(1.0 if calendar.is_workday(day) else 0.12 for day in self.days)
        self.first_day = self.days[0]
        self.password = ""
        self.importer_id = None
        self.stations: dict[str, int] = {}

    def prepare(self) -> None:
        self.password = make_password(DEMO_PASSWORD)  # once: hashing costs a quarter of a second
        self.importer_id = import_user().pk
        self.stations = {}
        for code, pk in (
            Department.objects.filter(kind=Department.Kind.POLICE).order_by("id").values_list("center_code", "id")
        ):
            if len(code) == 9:
                self.stations.setdefault(code, pk)

    def visits(self, grid: Grid, rate: float, worker_id: int, spell: Spell) -> list[tuple]:
        """The worker's visits in the grid during their spell on it, within the demo period."""
        low, high = max(spell.started, self.start), min(spell.ended or self.now, self.now)
        if high <= low:
            return []
        rng = self.ctx.rng_for(f"grids:visits:{spell.username}")
        count = int(rate * (high - low).total_seconds() / (30.44 * 86400) + rng.random())
        first = (timezone.localtime(low, self.tz).date() - self.first_day).days
        last = (timezone.localtime(high, self.tz).date() - self.first_day).days
        floor = self.day_cum[first - 1] if first else 0.0
        rows = []
        for _ in range(count):
            day = self.days[min(last, bisect.bisect_left(self.day_cum, rng.uniform(floor, self.day_cum[last])))]
            low_minute, high_minute = OFFICE_MINUTES[0 if rng.random() < 0.55 else 1]
            second = rng.randrange(low_minute * 60, (high_minute + 1) * 60)
            at = datetime(day.year, day.month, day.day, tzinfo=self.tz) + timedelta(seconds=second)
            if low <= at <= high:
                rows.append(self.visit(rng, grid, worker_id, at))
        return rows

    def visit(self, rng, grid: Grid, worker_id: int, at: datetime, finding: str | None = None) -> tuple:
        """One visit, as a row of VISIT_COLUMNS."""
        finding = finding or _pick(rng, FINDING_SHARES)
        setting = "town" if grid.kind == GridKind.URBAN else "country" if grid.kind == GridKind.RURAL else "special"
        notes = rng.choice(SETTING_NOTES[finding, setting])
        if finding == Finding.NOTHING and rng.random() < 0.4:
            notes = ""  # nothing found, nothing written
        target, place, person = _visit_place(rng, grid)
        return (grid.pk, grid.center_code, worker_id, at, target, place, person, finding, notes, "", at)


# A visit as Seeder.visit builds it: a row in the table's terms, recorded (created_at) when it was made.
VISIT_COLUMNS = (
    "grid_id",
    "center_code",
    "worker_id",
    "visited_at",
    "target",
    "place",
    "person",
    "finding",
    "notes",
    "photo",
    "created_at",
)


def insert_visits(rows: list[tuple]) -> None:
    """Insert visits given as rows of VISIT_COLUMNS. PostgreSQL takes them through COPY: with
    bulk_create, preparing the statements for a province's half a million visits took most of the
    grids' 92 s (41 s with COPY, measured); elsewhere they go in with bulk_create."""
    if not rows:
        return
    if connection.vendor == "postgresql":
        columns = ", ".join(connection.ops.quote_name(Visit._meta.get_field(name).column) for name in VISIT_COLUMNS)
        table = connection.ops.quote_name(Visit._meta.db_table)
        with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    with given_timestamps(Visit, "created_at"):
        Visit.objects.bulk_create(
            [Visit(**dict(zip(VISIT_COLUMNS, row, strict=True))) for row in rows], batch_size=BATCH_SIZE
        )


def _visit_place(rng, grid: Grid) -> tuple[str, str, str]:
    """Whom and where: a flat in the grid's buildings, a house of its village group, a shop, a spot."""
    if grid.kind in SPOTS:
        target = VisitTarget.PLACE if rng.random() < 0.7 else VisitTarget.BUSINESS
        return target, rng.choice(SPOTS[grid.kind]), _name(rng) if target == VisitTarget.BUSINESS else ""
    target = _pick(rng, TARGET_SHARES)
    urban = grid.kind == GridKind.URBAN
    if target in (VisitTarget.HOUSEHOLD, VisitTarget.PERSON):
        if urban:
            building = (grid.serial - 1) * BUILDINGS_PER_GRID + rng.randint(1, BUILDINGS_PER_GRID)
            place = f"{building}号楼{rng.randint(1, 6)}单元{rng.randint(1, 18)}0{rng.randint(1, 4)}"
        else:
            village = grid.name.removesuffix("网格").removesuffix(_group(grid.serial))
            place = f"{village}{_group(grid.serial)}{rng.randint(1, 80)}号"
        return target, place, _name(rng)
    if target == VisitTarget.BUSINESS:
        if urban:
            return target, f"{_road(rng)}{rng.randint(1, 300)}号{rng.choice(SHOPS_URBAN)}", _name(rng)
        return target, rng.choice(SHOPS_RURAL), _name(rng)
    return target, rng.choice(SPOTS_URBAN if urban else SPOTS_RURAL), ""


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=offset) for offset in range((last - first).days + 1)]


def _cumulative(weights) -> list[float]:
    total, out = 0.0, []
    for weight in weights:
        total += weight
        out.append(total)
    return out


# --- Entry points ---------------------------------------------------------------------------------


def _counties() -> list[County]:
    """The counties that have townships, with their townships and villages, read from the tree."""
    rows = Center.objects.filter(level__in=[Level.COUNTY, Level.TOWNSHIP, Level.VILLAGE]).values_list(
        "code", "id", "name", "level", "parent_id"
    )
    counties: dict[str, County] = {}
    townships: dict[str, Township] = {}
    for code, pk, name, level, parent in sorted(rows, key=lambda row: (row[3], row[0])):
        if level == Level.COUNTY:
            counties[code] = County(code, pk, name)
        elif level == Level.TOWNSHIP and parent in counties:
            townships[code] = Township(code, pk, name)
            counties[parent].townships.append(townships[code])
        elif level == Level.VILLAGE and parent in townships:
            townships[parent].villages.append(Village(code, pk, name))
    return [county for county in counties.values() if county.townships]


def _seed_policies(ctx, counties: list[County]) -> int:
    """The counties' assessment weights; a county that has its own keeps them."""
    have = set(AssessmentPolicy.objects.values_list("center_code", flat=True))
    rows = []
    for county in counties:
        if county.code in have:
            continue
        rng = ctx.rng_for(f"grids:policy:{county.code}")
        visits, findings, *weights = rng.choice(POLICIES)
        rows.append(
            AssessmentPolicy(
                center_id=county.id,
                center_code=county.code,
                visits_target=visits,
                findings_target=findings,
                weight_visits=weights[0],
                weight_findings=weights[1],
                weight_on_time=weights[2],
                weight_warnings=weights[3],
            )
        )
    AssessmentPolicy.objects.bulk_create(rows, batch_size=BATCH_SIZE, ignore_conflicts=True)
    return len(rows)


def seed(ctx) -> None:
    started = time.perf_counter()
    counties = _counties()
    if not counties:
        ctx.say("  grids: no townships, nothing to do")
        return
    seeded = {code[:6] for code in Grid.objects.order_by().values_list("center_code", flat=True).distinct()}
    seeder = Seeder(ctx)
    totals = {"grids": 0, "police": 0, "auxiliaries": 0, "workers": 0, "visits": 0}
    todo = []
    for county in counties:
        if county.code in seeded:
            ctx.say(f"  grids {county.code} {county.name}: already laid out, skipped")
        else:
            todo.append(county)
    if todo:
        seeder.prepare()

    def seed_county(county: County, say) -> dict[str, int]:
        county_started = time.perf_counter()
        layout = CountyGrids(seeder, county)
        layout.lay_out()
        with transaction.atomic():
            workers, visits = layout.insert()
        counts = {
            "grids": len(layout.seats),
            "police": len(layout.police),
            "auxiliaries": len(layout.auxiliaries),
            "workers": workers,
            "visits": visits,
        }
        say(
            f"  grids {county.code} {county.name}: {len(layout.seats):,} grids, {len(layout.police):,} police"
            f" grids, {workers:,} worker assignments, {visits:,} visits ({time.perf_counter() - county_started:.1f} s)"
        )
        return counts

    with bulk.indexes_deferred(Visit) if todo else nullcontext():  # nothing reads the visits meanwhile
        for counts in in_workers(ctx, todo, seed_county, size=lambda c: sum(len(t.villages) for t in c.townships)):
            for key, value in counts.items():
                totals[key] += value
    policies = _seed_policies(ctx, counties)
    ctx.timings["grids"] = time.perf_counter() - started
    ctx.say(
        f"  grids: {totals['grids']:,} grids, {totals['workers']:,} worker assignments,"
        f" {totals['police']:,} police grids, {totals['auxiliaries']:,} auxiliary officers,"
        f" {policies:,} assessment policies, {totals['visits']:,} visits new in {ctx.timings['grids']:.1f} s"
    )


def _unreferenced(queryset):
    """The rows no other table points at (a case links the visit it came from): those may go."""
    for relation in queryset.model._meta.related_objects:
        queryset = queryset.filter(**{f"{relation.name}__isnull": True})
    return queryset


def after_users(ctx) -> None:
    """The demo login `grid` takes over the first two grids of the demo village, full-time, forty days
    ago (the generated worker moved on: "调整网格"), and has walked them since: the visits the other
    worker would have made there are his (the ones a case came from) or never happened (the rest),
    and his own twenty of the last thirty days, a few with something found."""
    User = get_user_model()
    user = User.objects.filter(username=DEMO_WORKER).first()
    grids = list(Grid.objects.filter(center_code=DEMO_VILLAGE, is_active=True).order_by("serial")[:2])
    if user is None or not grids:
        return
    if GridAssignment.objects.filter(worker=user, grid__in=grids, ended_at__isnull=True).count() == len(grids):
        ctx.say(f"  demo users: {DEMO_WORKER} already walks the first grids of {DEMO_VILLAGE}")
        return
    seeder = Seeder(ctx)
    importer = import_user()
    rng = ctx.rng_for("grids:demo-worker")
    day = seeder.today - timedelta(days=40)
    handover = datetime(day.year, day.month, day.day, 9, tzinfo=seeder.tz)
    with transaction.atomic():
        current = list(
            GridAssignment.objects.select_for_update()
            .filter(grid__in=grids, ended_at__isnull=True)
            .exclude(worker=user)
        )
        handover = max([handover, *(a.started_at for a in current)])
        for assignment in current:
            assignment.ended_at, assignment.ended_by, assignment.end_reason = handover, importer, "调整网格"
        GridAssignment.objects.bulk_update(current, ["ended_at", "ended_by", "end_reason"])
        later = Visit.objects.filter(
            grid__in=grids, worker_id__in=[a.worker_id for a in current], visited_at__gt=handover
        )
        _unreferenced(later).delete()
        later.update(worker=user)
        mine = {a.grid_id for a in GridAssignment.objects.filter(worker=user, grid__in=grids, ended_at__isnull=True)}
        GridAssignment.objects.bulk_create(
            [
                GridAssignment(
                    grid=grid,
                    center_code=grid.center_code,
                    worker=user,
                    employment=Employment.FULL_TIME,
                    started_at=handover,
                    note="示范网格员",
                    assigned_by=importer,
                )
                for grid in grids
                if grid.pk not in mine
            ]
        )
        findings = [Finding.REQUEST, Finding.DISPUTE, Finding.RISK, Finding.REQUEST] + [Finding.NOTHING] * 16
        rng.shuffle(findings)
        visits = []
        for index, finding in enumerate(findings):
            day = seeder.today - timedelta(days=29 - (index * 29) // len(findings) - rng.randint(0, 1))
            minutes = rng.randint(*OFFICE_MINUTES[index % 2])
            at = datetime(day.year, day.month, day.day, tzinfo=seeder.tz) + timedelta(minutes=minutes)
            at = min(max(at, handover), seeder.now)
            visits.append(seeder.visit(rng, grids[index % len(grids)], user.pk, at, finding))
        insert_visits(visits)
    ctx.say(f"  demo users: {DEMO_WORKER} walks {len(grids)} grids of {DEMO_VILLAGE}, {len(visits)} visits")
