"""The indicators a new installation starts with (seeded by migration 0009, their English names by
0014; editable in the admin).

Weights follow the level floors of cases.risk.scoring (黄 15, 橙 35, 红 60): one strong sign (a threat
to kill, self-harm, a party with a serious mental disorder) reaches orange alone, two reach red; the
weaker signs (the kind of dispute, its age, its amount) only add up.
"""


def _ind(code, name, name_en, kind, params, weight, description):
    return {
        "code": code,
        "name": name,
        "name_en": name_en,
        "kind": kind,
        "params": params,
        "weight": weight,
        "description": description,
    }


def _attr(code, name, name_en, field, weight, description, op_value=None):
    params = {"field": field}
    if op_value is not None:
        params["value"] = op_value
    return _ind(code, name, name_en, "attribute", params, weight, description)


def _kw(code, name, name_en, words, weight, description):
    return _ind(code, name, name_en, "keyword", {"words": words, "where": ["facts", "records"]}, weight, description)


INDICATORS = [
    # --- attribute: the kind of dispute and its size ---
    _attr("attr-neighbour", "邻里纠纷", "Neighbour dispute", "category", 10, "邻里纠纷易积怨激化", ["d-neighbour"]),
    _attr(
        "attr-family",
        "婚姻家庭纠纷",
        "Marriage or family dispute",
        "category",
        10,
        "婚姻家庭纠纷是民转刑的多发类型",
        ["d-marriage"],
    ),
    _attr(
        "attr-domestic-violence",
        "家庭暴力",
        "Domestic violence",
        "category",
        25,
        "已有家庭暴力，极易升级",
        ["d-marriage--domestic-violence"],
    ),
    _attr(
        "attr-land",
        "土地宅基地纠纷",
        "Land or homestead dispute",
        "category",
        10,
        "宅基地、山林土地纠纷",
        ["d-housing--homestead", "d-land"],
    ),
    _attr("attr-wages", "拖欠工资", "Unpaid wages", "category", 10, "欠薪纠纷易引发过激行为", ["d-labour--wages"]),
    _attr("attr-debt", "债务纠纷", "Debt dispute", "category", 10, "借款、债务纠纷", ["d-contract--loan"]),
    _attr(
        "attr-expropriation",
        "征地拆迁纠纷",
        "Expropriation or demolition dispute",
        "category",
        10,
        "征地补偿、拆迁安置纠纷",
        ["d-expropriation"],
    ),
    _attr(
        "attr-amount-50k",
        "争议金额5万元以上",
        "¥50,000 or more in dispute",
        "amount",
        10,
        "争议金额不少于5万元",
        "50000",
    ),
    _attr(
        "attr-amount-200k",
        "争议金额20万元以上",
        "¥200,000 or more in dispute",
        "amount",
        10,
        "争议金额不少于20万元（与5万元指标叠加）",
        "200000",
    ),
    _attr("attr-people-5", "涉及5人以上", "5 or more people involved", "people_count", 10, "涉及人数不少于5人", 5),
    _attr("attr-group", "群体性事件", "Group incident", "is_group_incident", 20, "已标记为群体性事件", True),
    _attr("attr-emergency", "突发事件", "Emergency", "is_emergency", 20, "已标记为突发事件", True),
    _attr("attr-petition-related", "涉访", "Petition-related", "is_petition_related", 15, "与信访有关", True),
    _attr("attr-difficult", "疑难复杂", "Difficult and complex case", "is_difficult", 10, "已标记为疑难复杂纠纷", True),
    _attr(
        "attr-severity-critical",
        "严重程度为紧急",
        "Critical severity",
        "severity",
        20,
        "受理时评定为紧急",
        ["critical"],
    ),
    # --- history: the same people again and again ---
    _ind(
        "hist-parties-3-12m",
        "一年内反复纠纷",
        "Repeated disputes within a year",
        "history",
        {"measure": "party_cases", "min": 3, "months": 12},
        20,
        "同一当事人12个月内涉及3件以上纠纷",
    ),
    _ind(
        "hist-parties-2-6m",
        "半年内再次纠纷",
        "Another dispute within six months",
        "history",
        {"measure": "party_cases", "min": 2, "months": 6},
        10,
        "同一当事人6个月内涉及2件以上纠纷",
    ),
    _ind(
        "hist-mediation-failed-2",
        "多次调解不成",
        "Mediation failed more than once",
        "history",
        {"measure": "failed_mediations", "min": 2},
        20,
        "调解失败2次以上",
    ),
    _ind(
        "hist-mediation-failed-1",
        "调解不成",
        "Mediation failed",
        "history",
        {"measure": "failed_mediations", "min": 1},
        5,
        "调解失败过",
    ),
    _ind(
        "hist-reported-3",
        "多次反映",
        "Reported repeatedly",
        "history",
        {"measure": "reports", "min": 3},
        15,
        "同一事项反映3次以上",
    ),
    # --- age: 长期纠纷 ---
    _ind("age-30", "超过30天未化解", "Unresolved after 30 days", "age", {"days": 30}, 5, "受理后30天仍未化解"),
    _ind(
        "age-90",
        "超过90天未化解",
        "Unresolved after 90 days",
        "age",
        {"days": 90},
        10,
        "受理后90天仍未化解（与30天指标叠加）",
    ),
    _ind("age-180", "长期纠纷", "Long-standing dispute", "age", {"days": 180}, 15, "受理后180天仍未化解（长期纠纷）"),
    # --- link: other channels already involved ---
    _ind(
        "link-police", "已报警", "Reported to the police", "link", {"link": "police"}, 15, "有110报警记录或由公安移交"
    ),
    _ind("link-petition", "已信访", "Petition lodged", "link", {"link": "petition"}, 15, "有信访记录或由信访部门移交"),
    _ind("link-court", "已诉至法院", "Taken to court", "link", {"link": "court"}, 5, "由法院诉前移交或已起诉"),
    # --- keyword: what was said, in the facts or the records ---
    _kw(
        "kw-kill-threat",
        "扬言杀人",
        "Threat to kill",
        ["同归于尽", "弄死", "杀了", "砍死", "血债", "要他的命"],
        40,
        "扬言杀人、同归于尽",
    ),
    _kw("kw-revenge", "扬言报复", "Threat of revenge", ["报复", "以牙还牙", "让他好看"], 35, "扬言报复对方"),
    _kw(
        "kw-self-harm",
        "扬言自杀自残",
        "Threat of suicide or self-harm",
        ["不想活", "跳楼", "喝农药", "自杀", "上吊", "死给你看"],
        40,
        "扬言自杀、自残",
    ),
    _kw("kw-weapon-blade", "提及刀具", "Knives mentioned", ["刀", "斧头", "砍刀"], 30, "提及刀具等凶器"),
    _kw(
        "kw-weapon-fire",
        "提及汽油爆炸",
        "Petrol or explosives mentioned",
        ["汽油", "炸药", "炸了", "炸死", "放火", "纵火"],
        30,
        "提及汽油、爆炸、放火",
    ),
    _kw(
        "kw-weapon-poison",
        "提及农药毒物",
        "Pesticide or poison mentioned",
        ["农药", "老鼠药", "毒药"],
        25,
        "提及农药、毒物",
    ),
    _kw("kw-weapon-gun", "提及枪支", "Firearms mentioned", ["枪"], 30, "提及枪支"),
    _kw("kw-emotion", "情绪激烈", "Strong emotions", ["拼命", "没完", "走着瞧", "豁出去"], 15, "言语情绪激烈"),
    _kw(
        "kw-petition-threat",
        "扬言上访",
        "Threat to petition",
        ["上访到底", "进京上访", "去北京"],
        10,
        "扬言越级、进京上访",
    ),
    _kw(
        "kw-debt-collection",
        "高利贷讨债",
        "Loan-shark debt collection",
        ["高利贷", "讨债", "暴力催收"],
        15,
        "涉及高利贷、暴力讨债",
    ),
    _kw(
        "kw-violence",
        "已发生肢体冲突",
        "Physical fight already occurred",
        ["打伤", "动手", "殴打", "打架"],
        20,
        "已有肢体冲突",
    ),
    # --- person: who the parties are ---
    _ind(
        "person-mental-illness",
        "严重精神障碍患者",
        "Severe mental disorder",
        "person",
        {"flags": ["mental_illness"]},
        35,
        "当事人为在管严重精神障碍患者",
    ),
    _ind(
        "person-released",
        "刑满释放人员",
        "Released prisoner",
        "person",
        {"flags": ["released"]},
        25,
        "当事人为刑满释放人员",
    ),
    _ind("person-drug", "吸毒人员", "Drug user", "person", {"flags": ["drug"]}, 30, "当事人有吸毒史"),
    _ind(
        "person-extremism",
        "有极端倾向",
        "Extremist tendencies",
        "person",
        {"flags": ["extremism"]},
        35,
        "当事人有极端思想或行为倾向",
    ),
    _ind(
        "person-disability",
        "残疾人",
        "Person with a disability",
        "person",
        {"flags": ["disability"]},
        5,
        "当事人为残疾人",
    ),
    _ind(
        "person-left-behind",
        "留守人员",
        "Left-behind person",
        "person",
        {"flags": ["left_behind"]},
        5,
        "当事人为留守老人、妇女或儿童",
    ),
    _ind(
        "person-unemployed",
        "失业人员",
        "Unemployed person",
        "person",
        {"flags": ["unemployed"]},
        10,
        "当事人失业、生活困难",
    ),
]
