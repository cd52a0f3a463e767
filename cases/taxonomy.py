"""The seeded two-level taxonomy: the 15 dispute types of the people's-mediation statistics with
their sub-types, and the livelihood request areas. Editable in the admin afterwards; this list is
only what a new installation starts with."""

# (code, Chinese name, English name, [(sub-code, Chinese, English), ...])
DISPUTES = [
    (
        "marriage",
        "婚姻家庭",
        "Marriage and family",
        [
            ("divorce", "离婚", "Divorce"),
            ("custody", "抚养", "Child custody and support"),
            ("elder-support", "赡养", "Support of elders"),
            ("inheritance", "继承", "Inheritance"),
            ("domestic-violence", "家庭暴力", "Domestic violence"),
        ],
    ),
    (
        "neighbour",
        "邻里",
        "Neighbours",
        [
            ("passage", "相邻通行", "Right of way"),
            ("noise", "噪音扰民", "Noise"),
            ("light", "采光通风", "Light and ventilation"),
            ("drainage", "排水", "Drainage"),
        ],
    ),
    (
        "housing",
        "房屋宅基地",
        "Housing and homesteads",
        [("homestead", "宅基地", "Homestead land"), ("sale", "房屋买卖", "House sale"), ("lease", "房屋租赁", "Lease")],
    ),
    (
        "contract",
        "合同",
        "Contracts",
        [
            ("loan", "借款", "Loans"),
            ("sale", "买卖合同", "Sales contracts"),
            ("construction", "建设工程", "Construction contracts"),
        ],
    ),
    (
        "business",
        "生产经营",
        "Production and business",
        [("partnership", "合伙", "Partnerships"), ("farming", "农业生产", "Farming")],
    ),
    (
        "damages",
        "损害赔偿",
        "Damages",
        [("personal-injury", "人身损害", "Personal injury"), ("property", "财产损害", "Property damage")],
    ),
    (
        "land",
        "山林土地",
        "Land and forests",
        [
            ("contracting", "土地承包", "Land contracting"),
            ("forest", "林权", "Forest rights"),
            ("grassland", "草场", "Grassland"),
        ],
    ),
    (
        "expropriation",
        "征地拆迁",
        "Expropriation and demolition",
        [("compensation", "征地补偿", "Expropriation compensation"), ("resettlement", "拆迁安置", "Resettlement")],
    ),
    (
        "environment",
        "环境污染",
        "Environmental pollution",
        [
            ("noise", "噪声污染", "Noise pollution"),
            ("water", "水污染", "Water pollution"),
            ("air", "大气污染", "Air pollution"),
        ],
    ),
    (
        "labour",
        "劳动争议",
        "Labour disputes",
        [
            ("wages", "欠薪", "Unpaid wages"),
            ("injury", "工伤", "Work injury"),
            ("contract", "劳动合同", "Employment contracts"),
        ],
    ),
    (
        "consumer",
        "消费",
        "Consumer disputes",
        [
            ("quality", "商品质量", "Product quality"),
            ("service", "服务纠纷", "Services"),
            ("prepaid", "预付卡", "Prepaid cards"),
        ],
    ),
    (
        "medical",
        "医疗",
        "Medical disputes",
        [("malpractice", "医疗损害", "Medical injury"), ("fees", "医疗费用", "Medical fees")],
    ),
    ("traffic", "道路交通事故", "Road traffic accidents", [("compensation", "交通事故赔偿", "Accident compensation")]),
    (
        "property-mgmt",
        "物业",
        "Property management",
        [("fees", "物业费", "Management fees"), ("service", "物业服务", "Management services")],
    ),
    ("other", "其他", "Other disputes", [("other", "其他纠纷", "Other")]),
]

REQUESTS = [
    (
        "civil-affairs",
        "民政",
        "Civil affairs",
        [("subsistence", "低保", "Subsistence allowance"), ("relief", "临时救助", "Emergency relief")],
    ),
    (
        "education",
        "教育",
        "Education",
        [("enrolment", "入学", "School enrolment"), ("school-safety", "校园安全", "School safety")],
    ),
    (
        "employment",
        "就业",
        "Employment",
        [("jobs", "求职", "Finding work"), ("training", "技能培训", "Skills training")],
    ),
    (
        "social-security",
        "社保",
        "Social security",
        [("pension", "养老保险", "Pension insurance"), ("medical-insurance", "医疗保险", "Medical insurance")],
    ),
    (
        "household",
        "户籍",
        "Household registration",
        [("registration", "落户", "Registration"), ("documents", "证件办理", "Identity documents")],
    ),
    (
        "traffic-mgmt",
        "交管",
        "Traffic management",
        [("order", "交通秩序", "Traffic order"), ("vehicles", "车辆管理", "Vehicles")],
    ),
    ("health", "健康", "Health", [("public-health", "公共卫生", "Public health"), ("care", "就医", "Medical care")]),
    (
        "elderly",
        "养老",
        "Care of the elderly",
        [("services", "养老服务", "Elderly care services"), ("allowance", "高龄补贴", "Old-age allowance")],
    ),
    (
        "utilities",
        "水电气暖",
        "Water, power, gas and heating",
        [("outage", "停水停电", "Outages"), ("heating", "供暖", "Heating")],
    ),
    (
        "city",
        "城市管理",
        "City management",
        [("appearance", "市容环境", "Streets and sanitation"), ("stalls", "占道经营", "Street trading")],
    ),
]


def load(Category):
    """Create or update the seeded categories (used by a data migration and by tests)."""
    for group, tree in (("dispute", DISPUTES), ("request", REQUESTS)):
        for order, (code, name, name_en, children) in enumerate(tree):
            parent, _ = Category.objects.update_or_create(
                code=f"{group[0]}-{code}",
                defaults={"name": name, "name_en": name_en, "group": group, "parent": None, "sort_order": order},
            )
            for child_order, (sub, sub_name, sub_en) in enumerate(children):
                Category.objects.update_or_create(
                    code=f"{group[0]}-{code}--{sub}",
                    defaults={
                        "name": sub_name,
                        "name_en": sub_en,
                        "group": group,
                        "parent": parent,
                        "sort_order": child_order,
                    },
                )
