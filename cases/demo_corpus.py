"""The words of the demo cases: titles and facts by category, names, notes and reasons, and the
weights that shape the data by season, channel and place. Data only; `cases.demo` draws from it."""

from datetime import date

from cases.models import Channel, Kind, Rating
from govcenter.divisions import Level

# --- What cases are about -------------------------------------------------------------------------

# Category code -> (titles, facts, amount range in yuan or None, who the respondent is). Facts may
# use {a} applicant, {r} respondent, {place}, {amount}, {months}, {years}, {n}.
CONTENT: dict[str, tuple[list[str], list[str], tuple[int, int] | None, str]] = {
    "d-marriage--divorce": (
        ["夫妻感情不和要求离婚", "婚后不久要求返还彩礼", "离婚财产分割协商不成", "丈夫长年在外务工不归，妻子要求离婚"],
        [
            "{a}与{r}结婚{years}年，近年来因家庭琐事经常争吵，{a}提出离婚，双方对共同财产分割意见不一。",
            "双方订婚时给付彩礼{amount}，婚后不到一年即分居，{a}要求返还部分彩礼，{r}不同意。",
        ],
        (20_000, 180_000),
        "person",
    ),
    "d-marriage--custody": (
        ["前夫拒付抚养费{months}个月", "探望子女受阻", "离婚后子女抚养费拖欠", "孩子抚养权归属争议"],
        [
            "{a}与{r}离婚后孩子随{a}生活，{r}已{months}个月未支付抚养费，共计{amount}。",
            "{a}称离婚后多次前往{place}探望孩子均被{r}拒绝，双方为此多次发生争吵。",
        ],
        (3_000, 30_000),
        "person",
    ),
    "d-marriage--elder-support": (
        ["子女相互推诿不赡养老人", "老人要求儿子支付赡养费", "兄弟赡养母亲分担不均", "八旬老人无人照料"],
        [
            "{a}年近八旬，育有子女{n}人，子女之间对赡养费用和轮流照料互相推诿，老人生活困难。",
            "{a}反映儿子{r}长期不支付赡养费，也不回家探望，请求中心协调。",
        ],
        (3_000, 24_000),
        "person",
    ),
    "d-marriage--inheritance": (
        ["父亲去世后兄妹争房产", "遗产继承份额争议", "老宅继承纠纷", "拆迁款继承分配不均"],
        [
            "{a}之父去世后留下位于{place}的房屋一处，{a}与{r}对继承份额各执一词，多次争吵。",
            "老人生前未立遗嘱，兄妹{n}人对存款和房产的分配意见分歧较大，涉及金额约{amount}。",
        ],
        (50_000, 600_000),
        "person",
    ),
    "d-marriage--domestic-violence": (
        ["丈夫酒后殴打妻子", "婆媳矛盾激化发生肢体冲突", "遭受家庭暴力求助", "儿子多次打骂老人"],
        [
            "{a}反映其丈夫{r}酒后多次对其打骂，此次致其面部受伤，请求帮助。",
            "{a}与{r}因家庭琐事发生争执并动手，邻居报警，民警到场后移交中心调处。",
        ],
        None,
        "person",
    ),
    "d-neighbour--passage": (
        ["邻居堆放杂物堵塞通道", "修建围墙阻断出行道路", "车辆长期占用共用过道", "邻居私自封堵巷道"],
        [
            "{r}在{place}共用通道上堆放柴草杂物，{a}家农用车无法通行，双方多次争吵。",
            "{r}翻修院墙时将原有巷道封堵，{a}一家出行需绕行，双方矛盾激化。",
        ],
        None,
        "person",
    ),
    "d-neighbour--noise": (
        ["楼上深夜噪音扰民", "楼下商铺音响声音太大", "邻居家狗叫声影响休息", "邻居装修不分昼夜"],
        [
            "{a}反映住在楼上的{r}家每晚十一点后仍有拖拽家具、孩子跑跳的声音，多次沟通无果。",
            "{r}在{place}经营的店铺每天播放高音喇叭，附近居民休息受到严重影响。",
        ],
        None,
        "person",
    ),
    "d-neighbour--light": (
        ["邻居加盖房屋遮挡采光", "新建彩钢房影响通风采光", "邻居种树遮挡阳光"],
        [
            "{r}在自家院内加盖二层房屋，距{a}家窗户不足三米，{a}家白天需开灯。",
            "{r}在楼前空地搭建彩钢房，遮挡了{a}家一楼的采光和通风。",
        ],
        None,
        "person",
    ),
    "d-neighbour--drainage": (
        ["楼上漏水殃及楼下", "院落排水流入邻家", "卫生间渗水致楼下天花板发霉", "雨水管改道引发邻里矛盾"],
        [
            "{place}，楼上{r}家卫生间防水层损坏，渗水导致{a}家天花板和墙面发霉，{a}要求赔偿维修费用{amount}。",
            "{r}将院内排水管改向{a}家一侧，雨天积水渗入{a}家地基，双方争执不下。",
        ],
        (800, 12_000),
        "person",
    ),
    "d-housing--homestead": (
        ["翻建房屋越界占用宅基地", "宅基地使用权归属争议", "宅基地界址争议", "邻居建房侵占自家院落"],
        [
            "{a}与{r}两家宅基地相邻，{r}翻建房屋时向{a}家一侧多占约{n}十公分，双方多次发生口角。",
            "{a}家老宅基地闲置多年，{r}称该宅基地早年已由其父购买，双方均无法提供完整手续。",
        ],
        None,
        "person",
    ),
    "d-housing--sale": (
        ["购房后迟迟不能过户", "二手房买卖定金纠纷", "房屋买卖后卖方反悔"],
        [
            "{a}于{years}年前购买{r}位于{place}的房屋，已付清房款{amount}，但{r}一直不配合办理过户。",
            "{a}向{r}支付购房定金后因贷款未获批准要求退还定金，{r}拒绝。",
        ],
        (20_000, 600_000),
        "person",
    ),
    "d-housing--lease": (
        ["房东拒不退还押金", "租客拖欠房租{months}个月", "提前解除租赁合同引发争议", "租住房屋漏水维修责任纠纷"],
        [
            "{a}租住{r}位于{place}的房屋，租期届满退房后，{r}以墙面污损为由扣留押金{amount}。",
            "{a}将房屋出租给{r}，{r}已拖欠房租{months}个月共计{amount}，且联系不上。",
        ],
        (1_000, 30_000),
        "person",
    ),
    "d-contract--loan": (
        ["借款到期不还", "担保借款追偿纠纷", "亲戚借款逾期未还", "民间借贷利息争议"],
        [
            "{years}年前{r}向{a}借款{amount}，约定一年内归还，到期后{r}以生意亏损为由一再拖延。",
            "{a}为{r}的借款提供担保后代为偿还{amount}，向{r}追偿未果。",
        ],
        (5_000, 300_000),
        "person",
    ),
    "d-contract--sale": (
        ["货款拖欠不付", "买卖牛羊货款纠纷", "农资货款纠纷", "建材货款结算争议"],
        [
            "{a}向{r}供应货物后，{r}尚欠货款{amount}至今未付。",
            "{a}将自家养殖的牛羊卖给{r}，{r}仅支付部分款项，余款{amount}拖欠至今。",
        ],
        (3_000, 200_000),
        "company",
    ),
    "d-contract--construction": (
        ["装修工程质量纠纷", "厂房工程款结算纠纷", "完工后拖欠工程款", "施工方中途停工"],
        [
            "{a}将自家房屋装修工程包给{r}，完工后发现墙面开裂、地砖空鼓，双方对返修和尾款{amount}争执不下。",
            "{a}带领工人为{r}修建厂房，完工{months}个月后{r}仍拖欠工程款{amount}。",
        ],
        (10_000, 500_000),
        "company",
    ),
    "d-business--partnership": (
        ["合伙经营散伙后账目不清", "合伙开店利润分配争议", "合伙养殖投资款退还纠纷"],
        [
            "{a}与{r}合伙经营{years}年后散伙，双方对投资款{amount}的退还和账目结算分歧较大。",
            "{a}与{r}合伙开办餐馆，{r}掌管账目，{a}认为利润分配不公。",
        ],
        (20_000, 300_000),
        "person",
    ),
    "d-business--farming": (
        ["邻田打药致庄稼受损", "牛羊啃食邻家庄稼", "灌溉用水分配争议", "种子质量问题导致减产"],
        [
            "{r}在自家地里喷洒除草剂时药液飘到{a}家田里，致{a}家玉米大面积枯黄，{a}要求赔偿{amount}。",
            "{r}家的牛羊多次进入{a}家承包地啃食麦苗，{a}要求赔偿损失。",
        ],
        (1_000, 20_000),
        "person",
    ),
    "d-damages--personal-injury": (
        ["打架致人受伤赔偿纠纷", "被狗咬伤赔偿纠纷", "雇工干活受伤赔偿", "儿童玩耍受伤责任纠纷"],
        [
            "{a}与{r}因琐事发生口角后厮打，{a}受伤住院，花去医疗费{amount}，双方就赔偿协商不成。",
            "{a}在{place}被{r}家散养的狗咬伤，注射狂犬疫苗等费用{amount}，{r}拒绝承担。",
        ],
        (1_000, 80_000),
        "person",
    ),
    "d-damages--property": (
        ["高空坠物砸坏车辆", "施工损坏自家房屋", "车辆被刮擦赔偿纠纷", "邻居失火殃及自家财物"],
        [
            "{a}停在{place}的轿车被楼上坠落的花盆砸坏，维修费{amount}，楼上住户互相推诿。",
            "{r}在{a}家旁开挖地基，致{a}家房屋墙体开裂，{a}要求赔偿。",
        ],
        (500, 50_000),
        "person",
    ),
    "d-land--contracting": (
        ["承包地边界争议", "土地流转租金拖欠", "承包地被他人占种", "土地确权面积争议"],
        [
            "{a}与{r}的承包地相邻，春耕时{r}将地埂向{a}一侧移了半米，双方争执不下。",
            "{a}将{n}亩承包地流转给{r}种植，{r}已拖欠两年流转费{amount}。",
        ],
        (2_000, 60_000),
        "person",
    ),
    "d-land--forest": (
        ["林地权属争议", "擅自砍伐林木引发纠纷", "退耕还林补贴分配争议"],
        [
            "{a}与{r}对{place}一片林地的权属各执一词，双方均持有早年的林权证明。",
            "{r}擅自砍伐{a}承包林地内的杨树{n}十余棵，{a}要求赔偿{amount}。",
        ],
        (2_000, 40_000),
        "person",
    ),
    "d-land--grassland": (
        ["草场界限争议", "草场承包费纠纷", "越界放牧引发纠纷"],
        [
            "{a}与{r}两家草场相邻，围栏位置存在争议，{r}的羊群多次越界放牧。",
            "{r}租用{a}的草场放牧，约定的承包费{amount}至今未付清。",
        ],
        (3_000, 50_000),
        "person",
    ),
    "d-expropriation--compensation": (
        ["征地补偿款分配争议", "青苗补偿标准争议", "征地补偿款迟迟未发放"],
        [
            "{place}一带土地被征收，{a}等{n}户村民对补偿款在村组内部的分配方案有异议。",
            "{a}反映其承包地被征用修路，地上青苗补偿标准过低，要求按实际损失补偿。",
        ],
        (10_000, 400_000),
        "village",
    ),
    "d-expropriation--resettlement": (
        ["过渡安置费拖欠", "拆迁面积认定争议", "拆迁安置房分配争议"],
        [
            "{a}家房屋已于{years}年前拆迁，安置房至今未交付，过渡安置费已拖欠{months}个月。",
            "{a}对自家房屋的拆迁面积认定有异议，认为少算了附属用房。",
        ],
        (10_000, 200_000),
        "company",
    ),
    "d-environment--noise": (
        ["工地夜间施工噪声扰民", "商铺空调外机噪声扰民", "广场舞噪声影响居民休息"],
        [
            "{place}附近的工地连续多日夜间施工，噪声严重影响周边居民休息，居民多次投诉。",
            "{r}安装在{place}的空调外机噪声大，{a}家夜间无法入睡。",
        ],
        None,
        "company",
    ),
    "d-environment--water": (
        ["养殖场污水排入水渠", "生活污水横流影响出行", "企业排污污染农田"],
        [
            "{r}的养殖场将未经处理的粪污排入灌溉渠，下游{a}等村民的农田受到污染。",
            "{place}的下水管道堵塞，生活污水漫溢到路面，居民出行不便。",
        ],
        (2_000, 50_000),
        "company",
    ),
    "d-environment--air": (
        ["餐饮油烟扰民", "工厂粉尘污染", "烧烤摊烟雾扰民", "露天焚烧垃圾"],
        [
            "{r}在{place}经营的餐馆油烟直排，楼上住户{a}家窗户无法打开。",
            "{r}厂区粉尘较大，周边村民晾晒的衣物和庄稼落满灰尘，村民意见很大。",
        ],
        None,
        "company",
    ),
    "d-labour--wages": (
        ["工人讨要劳务费", "多次讨要工资无果", "拖欠农民工工资三个月", "包工头欠薪后失联", "餐馆拖欠服务员工资"],
        [
            "{a}等{n}名工人在{r}承建的工地务工，工程完工后{r}以甲方未结算为由拖欠工资共计{amount}。",
            "{a}在{r}处打工{months}个月，对方以各种理由拖欠工资{amount}，{a}多次讨要无果。",
            "{a}等农民工在{r}的工地干了三个月，工资一直未结，共计{amount}。",
        ],
        (3_000, 600_000),
        "employer",
    ),
    "d-labour--injury": (
        ["工地摔伤医疗费无人承担", "工伤赔偿协商不成", "务工受伤要求赔偿"],
        [
            "{a}在{r}务工期间从脚手架上摔下受伤，花去医疗费{amount}，双方对赔偿数额分歧较大。",
            "{a}在车间操作机器时手指受伤，{r}未给{a}缴纳工伤保险，拒绝承担后续治疗费用。",
        ],
        (5_000, 200_000),
        "employer",
    ),
    "d-labour--contract": (
        ["未签劳动合同被辞退", "单位未缴社保引发争议", "解除劳动合同经济补偿争议"],
        [
            "{a}在{r}工作{years}年，一直未签订劳动合同，近日被口头辞退，要求支付经济补偿{amount}。",
            "{a}发现{r}在其工作期间未为其缴纳社会保险，要求补缴。",
        ],
        (3_000, 80_000),
        "employer",
    ),
    "d-consumer--quality": (
        ["购买电动车质量问题", "家电售后维修纠纷", "新买手机屏幕故障要求退换"],
        [
            "{a}在{r}购买的电动车使用不到一个月电池鼓包，商家只同意维修不同意退换。",
            "{a}购买的冰箱在保修期内多次出现故障，{r}售后一再推诿。",
        ],
        (500, 15_000),
        "shop",
    ),
    "d-consumer--service": (
        ["美容服务效果纠纷", "驾校培训退费纠纷", "婚庆服务不满意要求退款"],
        [
            "{a}在{r}办理的美容项目效果与宣传不符，要求退还费用{amount}。",
            "{a}在{r}报名学车后因工作调动无法继续，要求退还剩余学费，{r}只同意退一小部分。",
        ],
        (800, 20_000),
        "shop",
    ),
    "d-consumer--prepaid": (
        ["健身房关门预付卡无法退费", "培训机构停课拒不退费", "理发店预付卡退费纠纷"],
        [
            "{a}在{r}办理的预付卡余额{amount}，店铺突然停业，{a}等{n}名会员要求退费。",
            "{a}为孩子在{r}预交了一年的培训费，机构停课后拒绝退还剩余费用。",
        ],
        (500, 30_000),
        "shop",
    ),
    "d-medical--malpractice": (
        ["手术后并发症责任纠纷", "输液后出现不良反应", "诊所误诊延误治疗"],
        [
            "{a}的家属在{r}接受手术后出现并发症，{a}认为医院存在过错，要求赔偿{amount}。",
            "{a}在{r}输液后出现过敏反应被送医抢救，双方对责任认定分歧较大。",
        ],
        (5_000, 300_000),
        "hospital",
    ),
    "d-medical--fees": (
        ["住院费用明细有疑问", "医疗费用结算争议"],
        [
            "{a}对{r}出具的住院费用清单有异议，认为部分检查项目重复收费。",
            "{a}在{r}治疗后，对医保报销后的自付金额{amount}有疑问。",
        ],
        (1_000, 50_000),
        "hospital",
    ),
    "d-traffic--compensation": (
        ["电动车与轿车相撞赔偿纠纷", "行人被撞医疗费赔偿纠纷", "交通事故赔偿协商不成", "农用三轮车侧翻致人受伤"],
        [
            "{r}驾驶轿车在{place}与{a}驾驶的电动车相撞，{a}受伤住院，双方对赔偿数额{amount}协商不成。",
            "{a}步行经过{place}时被{r}驾驶的车辆撞伤，交警已出具事故认定书，双方就赔偿事宜申请调解。",
        ],
        (2_000, 250_000),
        "person",
    ),
    "d-property-mgmt--fees": (
        ["业主拒交物业费", "停车费收取纠纷", "物业费收费标准争议"],
        [
            "{a}认为{r}服务不到位，已{months}个月拒交物业费，{r}多次催缴并在业主群公示，双方矛盾加深。",
            "{r}上调小区停车费，{a}等业主认为未经业主大会同意，拒绝缴纳。",
        ],
        (500, 10_000),
        "property",
    ),
    "d-property-mgmt--service": (
        ["小区电梯频繁故障", "小区路灯不亮", "小区垃圾清运不及时", "业主集体投诉物业不作为"],
        [
            "{place}的电梯一个月内多次困人，业主多次向{r}反映均未彻底维修。",
            "{place}小区内多盏路灯损坏已有{months}个月，老人晚上出行不便，{r}迟迟不修。",
        ],
        None,
        "property",
    ),
    "d-other--other": (
        ["网络言论引发纠纷", "村集体分红争议", "红白喜事操办引发矛盾", "宠物走失引发争执"],
        [
            "{a}与{r}因琐事在网上互相指责，影响扩大到家人之间，双方请求中心调解。",
            "{a}对村集体年终分红的分配标准有异议，认为自家人口少算了一人。",
        ],
        None,
        "person",
    ),
    "r-civil-affairs--subsistence": (
        ["申请办理低保", "低保资格复核有异议", "咨询低保政策"],
        [
            "{a}家中{n}口人，{spouse}患病无劳动能力，家庭收入微薄，申请办理最低生活保障。",
            "{a}的低保在年度复核中被取消，{a}认为家庭情况并无变化，请求重新核查。",
        ],
        None,
        "none",
    ),
    "r-civil-affairs--relief": (
        ["家中遭遇火灾申请临时救助", "重病致贫申请救助", "突发困难申请临时救助"],
        [
            "{a}位于{place}的家中失火，生活用品全部烧毁，请求临时救助。",
            "{a}的孩子患重病住院，已花费医疗费{amount}，家庭难以为继，申请救助。",
        ],
        (5_000, 200_000),
        "none",
    ),
    "r-education--enrolment": (
        ["随迁子女入学求助", "学区划分有疑问", "孩子入学报名咨询"],
        [
            "{a}在{place}租房务工，孩子今年该上小学，咨询随迁子女入学需要的材料。",
            "{a}反映按学区划分孩子需到较远的学校就读，请求协调。",
        ],
        None,
        "none",
    ),
    "r-education--school-safety": (
        ["学校门口交通拥堵存在安全隐患", "反映校车超载", "校外培训机构存在消防隐患"],
        [
            "{place}附近的学校放学时段车辆乱停，学生过马路存在安全隐患。",
            "{a}反映孩子乘坐的接送车辆经常超载，请求有关部门检查。",
        ],
        None,
        "none",
    ),
    "r-employment--jobs": (
        ["返乡人员寻求就业岗位", "残疾人求职帮扶", "求职就业求助"],
        [
            "{a}今年返乡后一直未找到合适工作，希望中心推荐就业岗位。",
            "{a}腿部残疾，希望能找到一份力所能及的工作。",
        ],
        None,
        "none",
    ),
    "r-employment--training": (
        ["咨询技能培训报名", "申请创业培训", "电工证培训报名咨询"],
        [
            "{a}想参加政府组织的免费技能培训，咨询报名条件和时间。",
            "{a}计划在村里开办小超市，申请参加创业培训并咨询创业担保贷款政策。",
        ],
        None,
        "none",
    ),
    "r-social-security--pension": (
        ["养老金未按时到账", "养老保险转移接续求助", "咨询城乡居民养老保险缴费"],
        [
            "{a}反映本月养老金未按时到账，请求帮助查询。",
            "{a}在外地工作多年后回乡，养老保险关系转移遇到困难。",
        ],
        None,
        "none",
    ),
    "r-social-security--medical-insurance": (
        ["医保报销求助", "医保缴费信息有误", "异地就医备案咨询"],
        [
            "{a}在外地住院花费{amount}，回来后不知道如何办理医保报销。",
            "{a}已缴纳今年的居民医保，但系统显示未缴费，就医时无法报销。",
        ],
        (2_000, 80_000),
        "none",
    ),
    "r-household--registration": (
        ["新生儿落户求助", "投靠子女落户求助", "户口迁移手续咨询"],
        [
            "{a}的孩子出生后因父母一方户口在外地，落户手续遇到困难。",
            "{a}年迈，想把户口迁到子女所在的{place}，咨询需要办理的手续。",
        ],
        None,
        "none",
    ),
    "r-household--documents": (
        ["身份证补办求助", "户口本信息更正", "居住证办理咨询"],
        [
            "{a}身份证丢失，外出务工急需使用，请求加急补办。",
            "{a}发现户口本上的出生日期登记错误，影响办理退休手续。",
        ],
        None,
        "none",
    ),
    "r-traffic-mgmt--order": (
        ["路口红绿灯故障", "小区门口车辆乱停乱放", "学校路段缺少减速带"],
        [
            "{place}路口的红绿灯已坏了好几天，早晚高峰车辆拥堵，存在安全隐患。",
            "{place}门口长期有车辆乱停，消防通道被占用。",
        ],
        None,
        "none",
    ),
    "r-traffic-mgmt--vehicles": (
        ["僵尸车长期占用车位", "电动车上牌咨询", "驾驶证换证咨询"],
        [
            "{place}停着一辆报废车辆已有半年多，无人认领，占用公共车位。",
            "{a}咨询新购电动车如何办理登记上牌。",
        ],
        None,
        "none",
    ),
    "r-health--public-health": (
        ["小区蚊虫滋生请求消杀", "流浪犬伤人隐患", "餐馆卫生条件差"],
        [
            "{place}的垃圾点周边蚊蝇滋生，居民请求进行消杀。",
            "{place}附近有多只流浪犬，已有老人和孩子被追咬，请求处置。",
        ],
        None,
        "none",
    ),
    "r-health--care": (
        ["慢性病用药报销咨询", "家庭医生签约咨询", "老人就医求助"],
        [
            "{a}的母亲患慢性病需长期用药，咨询门诊慢特病的认定和报销。",
            "{a}年过七旬独自生活，希望签约家庭医生定期上门。",
        ],
        None,
        "none",
    ),
    "r-elderly--services": (
        ["独居老人需要上门照护", "社区老年食堂用餐咨询", "申请居家养老服务"],
        [
            "{a}的父亲独居在{place}，行动不便，子女在外地，请求社区定期上门照看。",
            "{a}咨询社区老年食堂的用餐办法和补贴标准。",
        ],
        None,
        "none",
    ),
    "r-elderly--allowance": (
        ["高龄补贴未到账", "老年优待证办理咨询", "申请高龄补贴"],
        [
            "{a}今年满八十周岁，已申请高龄补贴，但至今未到账。",
            "{a}咨询老年人优待证的办理地点和所需材料。",
        ],
        None,
        "none",
    ),
    "r-utilities--outage": (
        ["小区突然停水", "村里频繁停电", "自来水水质浑浊", "燃气管道漏气"],
        [
            "{place}从昨天起停水，未见任何通知，居民生活受到影响。",
            "{place}近一个月频繁停电，村民的冰柜、水泵无法正常使用。",
        ],
        None,
        "none",
    ),
    "r-utilities--heating": (
        ["家中暖气不热", "暖气管道漏水", "供暖温度不达标", "集中供暖未通暖"],
        [
            "{place}，入冬以来暖气一直不热，室温只有十二三度，家中有老人和孩子。",
            "{place}的暖气管道漏水，楼道结冰，居民出行存在安全隐患。",
        ],
        None,
        "none",
    ),
    "r-city--appearance": (
        ["小区路灯不亮", "下水井盖缺失", "垃圾堆放无人清理", "道路破损坑洼"],
        [
            "{place}的路灯已经坏了很久，晚上一片漆黑，居民出行不便。",
            "{place}的井盖丢失，只用树枝做了简单遮挡，存在安全隐患。",
        ],
        None,
        "none",
    ),
    "r-city--stalls": (
        ["商贩占道经营", "店铺占道堆放货物", "早市摊点影响通行"],
        [
            "{place}每天早上摊贩占道经营，车辆和行人通行困难。",
            "{place}的商铺将货物堆放在人行道上，行人只能走机动车道。",
        ],
        None,
        "none",
    ),
}

# Words in a text that fix the applicant's age.
OLD_AGES = [("八十周岁", (80, 80)), ("八旬", (78, 89)), ("七旬", (70, 79)), ("年迈", (70, 88))]

# Facts for a title that has none of its own, by kind.
GENERIC_FACTS = {
    Kind.DISPUTE: "{a}反映：{title}。{a}与{r}为此多次协商未果。",
    Kind.REQUEST: "{a}反映：{title}，地点在{place}。",
    Kind.RISK: "排查发现：{title}，涉及{place}，需及时介入化解。",
}

# Risks (风险隐患) are dispute categories seen before they break out.
RISK_CONTENT: dict[str, tuple[int, list[str], list[str]]] = {
    "d-labour--wages": (
        20,
        ["工地欠薪，工人有聚集讨薪苗头", "务工人员讨薪情绪激动，存在聚集风险"],
        ["网格员走访发现，{r}承建的工地拖欠{n}名工人工资，工人扬言到有关部门聚集讨薪。"],
    ),
    "d-neighbour--passage": (
        14,
        ["邻里积怨较深，存在冲突苗头", "通行纠纷多次争吵，有动手迹象"],
        ["{a}与{r}两家因通行问题积怨多年，近日再次争吵，双方均有过激言语，需提前介入。"],
    ),
    "d-housing--homestead": (
        12,
        ["宅基地纠纷反复争吵，存在肢体冲突风险"],
        ["排查发现{a}与{r}因宅基地界址问题多次争吵，{r}扬言要强行拆除{a}家院墙。"],
    ),
    "d-marriage--domestic-violence": (
        12,
        ["夫妻长期争吵，一方扬言报复", "家暴受害人情绪激动，存在极端风险"],
        ["网格员入户走访时发现{a}身上有伤，其丈夫{r}酗酒后经常打骂家人，存在家暴升级风险。"],
    ),
    "d-marriage--divorce": (
        6,
        ["离婚纠纷当事人情绪失控"],
        ["{a}与{r}离婚纠纷持续多月，{a}近日情绪失控，多次在村里扬言要与对方同归于尽。"],
    ),
    "d-land--contracting": (
        8,
        ["承包地纠纷长期未决，当事人多次扬言"],
        ["{a}与{r}的承包地纠纷已持续{years}年，近日双方再次发生争执，有激化可能。"],
    ),
    "d-expropriation--compensation": (
        6,
        ["征地补偿未到位，村民酝酿集体上访"],
        ["{place}征地补偿款迟迟未到位，{n}余户村民商议集体到县里反映。"],
    ),
    "d-property-mgmt--service": (
        6,
        ["业主与物业矛盾激化，拟聚集维权"],
        ["{place}业主与{r}因停车和维修基金问题矛盾激化，业主群内号召周末聚集维权。"],
    ),
    "d-contract--loan": (
        5,
        ["债务纠纷当事人被催债，情绪异常"],
        ["{a}因欠{r}借款无力偿还，被多次上门催债，近期情绪异常，家人担心其出意外。"],
    ),
    "d-damages--personal-injury": (
        4,
        ["打架斗殴后双方亲属扬言报复"],
        ["{a}与{r}斗殴后虽经处理，但双方亲属仍互相扬言报复，存在再次冲突风险。"],
    ),
    "d-other--other": (
        7,
        ["精神障碍患者监护缺失，存在肇事风险", "刑满释放人员生活无着，情绪不稳"],
        ["排查发现{place}一名严重精神障碍患者近期停药，家属监护不力，存在肇事肇祸风险。"],
    ),
}

# Base weights of the categories within their kind (dispute and request).
WEIGHTS = {
    "d-marriage--divorce": 4, "d-marriage--custody": 2, "d-marriage--elder-support": 3,
    "d-marriage--inheritance": 3, "d-marriage--domestic-violence": 2,
    "d-neighbour--passage": 5, "d-neighbour--noise": 5, "d-neighbour--light": 2, "d-neighbour--drainage": 6,
    "d-housing--homestead": 4, "d-housing--sale": 2, "d-housing--lease": 3,
    "d-contract--loan": 5, "d-contract--sale": 2, "d-contract--construction": 2,
    "d-business--partnership": 1.5, "d-business--farming": 2,
    "d-damages--personal-injury": 4, "d-damages--property": 3,
    "d-land--contracting": 4, "d-land--forest": 1, "d-land--grassland": 1,
    "d-expropriation--compensation": 1.5, "d-expropriation--resettlement": 1,
    "d-environment--noise": 1.5, "d-environment--water": 1, "d-environment--air": 1.5,
    "d-labour--wages": 6, "d-labour--injury": 2, "d-labour--contract": 2,
    "d-consumer--quality": 2.5, "d-consumer--service": 2, "d-consumer--prepaid": 2,
    "d-medical--malpractice": 1, "d-medical--fees": 1,
    "d-traffic--compensation": 5,
    "d-property-mgmt--fees": 3, "d-property-mgmt--service": 4,
    "d-other--other": 3,
    "r-civil-affairs--subsistence": 5, "r-civil-affairs--relief": 3,
    "r-education--enrolment": 2.5, "r-education--school-safety": 1,
    "r-employment--jobs": 3, "r-employment--training": 2,
    "r-social-security--pension": 3, "r-social-security--medical-insurance": 3,
    "r-household--registration": 2, "r-household--documents": 2,
    "r-traffic-mgmt--order": 3, "r-traffic-mgmt--vehicles": 2,
    "r-health--public-health": 2, "r-health--care": 2,
    "r-elderly--services": 2.5, "r-elderly--allowance": 2.5,
    "r-utilities--outage": 4, "r-utilities--heating": 6,
    "r-city--appearance": 5, "r-city--stalls": 3,
}  # fmt: skip

KIND_SHARE = {Kind.DISPUTE: 0.6, Kind.REQUEST: 0.3, Kind.RISK: 0.1}

# Town (街道/社区) and country (乡镇/村) see different troubles: (prefix, urban factor, rural factor).
PLACE_FACTORS = [
    ("d-property-mgmt", 3.0, 0.15),
    ("d-neighbour--noise", 1.6, 0.6),
    ("d-consumer", 1.5, 0.6),
    ("d-housing--lease", 1.8, 0.4),
    ("d-environment--noise", 1.5, 0.6),
    ("r-utilities--heating", 1.5, 0.3),
    ("r-city", 1.6, 0.4),
    ("r-traffic-mgmt", 1.4, 0.7),
    ("d-land", 0.12, 2.5),
    ("d-housing--homestead", 0.15, 2.5),
    ("d-business--farming", 0.1, 2.5),
    ("d-neighbour--passage", 0.6, 1.6),
    ("d-marriage--elder-support", 0.8, 1.4),
    ("d-expropriation", 0.7, 1.5),
    ("r-civil-affairs", 0.8, 1.3),
]

# Seasons: (prefix, {month: factor}, factor in the weeks before Spring Festival, around it).
SEASONS = [
    ("d-labour--wages", {11: 1.6, 12: 2.6, 1: 2.6, 2: 1.2}, 1.6, 1.2),
    ("r-civil-affairs--relief", {12: 1.4, 1: 1.6, 2: 1.3}, 1.0, 1.0),
    ("d-marriage", {}, 1.0, 1.9),
    ("d-neighbour", {}, 1.0, 1.6),
    ("d-other", {}, 1.0, 1.4),
    ("d-housing--homestead", {3: 2.5, 4: 2.8, 5: 2.2}, 1.0, 1.0),
    ("d-land", {3: 2.5, 4: 2.8, 5: 2.2, 10: 1.4}, 1.0, 1.0),
    ("d-business--farming", {4: 2.0, 5: 2.0, 6: 1.5, 9: 1.5}, 1.0, 1.0),
    ("d-traffic", {6: 1.8, 7: 2.2, 8: 2.2, 9: 1.4, 1: 0.8, 2: 0.8}, 1.0, 1.0),
    ("d-environment--noise", {5: 1.4, 6: 1.8, 7: 2.0, 8: 2.0, 9: 1.4}, 1.0, 1.0),
    ("d-environment--air", {11: 1.5, 12: 1.8, 1: 1.8, 2: 1.3}, 1.0, 1.0),
    ("d-neighbour--noise", {6: 1.3, 7: 1.4, 8: 1.4}, 1.0, 1.0),
    (
        "r-utilities--heating",
        {11: 5.0, 12: 4.0, 1: 4.0, 2: 3.0, 3: 2.0, 4: 0.2, 5: 0.1, 6: 0.1, 7: 0.1, 8: 0.1, 9: 0.2, 10: 0.8},
        1.0,
        1.0,
    ),
    ("r-utilities--outage", {6: 1.5, 7: 1.8, 8: 1.6}, 1.0, 1.0),
    ("r-education--enrolment", {7: 2.0, 8: 3.5, 9: 2.5, 12: 0.3, 1: 0.3}, 1.0, 1.0),
]

# Spring Festival (春节) dates; other years fall back to early February.
SPRING_FESTIVAL = {
    2022: date(2022, 2, 1),
    2023: date(2023, 1, 22),
    2024: date(2024, 2, 10),
    2025: date(2025, 1, 29),
    2026: date(2026, 2, 17),
    2027: date(2027, 2, 6),
    2028: date(2028, 1, 26),
    2029: date(2029, 2, 13),
}

# Channel weights by kind, for cases first recorded at a township or village, and at the county.
CHANNELS = {
    Kind.DISPUTE: {
        Channel.WALK_IN: 30, Channel.PHONE: 10, Channel.HOTLINE: 8, Channel.GRID: 12, Channel.SCREENING: 6,
        Channel.POLICE: 8, Channel.PETITION: 4, Channel.COURT: 7, Channel.QR: 4, Channel.LETTER: 2,
        Channel.ASSIGNED: 3, Channel.DEPARTMENT: 3, Channel.MEDIA: 1,
    },
    Kind.REQUEST: {
        Channel.HOTLINE: 35, Channel.WALK_IN: 20, Channel.QR: 15, Channel.PHONE: 15, Channel.GRID: 5,
        Channel.LETTER: 3, Channel.ASSIGNED: 3, Channel.DEPARTMENT: 2, Channel.MEDIA: 2,
    },
    Kind.RISK: {
        Channel.GRID: 40, Channel.SCREENING: 30, Channel.POLICE: 10, Channel.WALK_IN: 5, Channel.PHONE: 5,
        Channel.MEDIA: 5, Channel.DEPARTMENT: 3, Channel.ASSIGNED: 2,
    },
}  # fmt: skip
COUNTY_CHANNELS = {
    Kind.DISPUTE: {
        Channel.WALK_IN: 25, Channel.COURT: 20, Channel.PETITION: 15, Channel.HOTLINE: 12, Channel.ASSIGNED: 10,
        Channel.DEPARTMENT: 8, Channel.LETTER: 5, Channel.MEDIA: 5,
    },
    Kind.REQUEST: {
        Channel.HOTLINE: 40, Channel.WALK_IN: 20, Channel.LETTER: 10, Channel.ASSIGNED: 10, Channel.PETITION: 10,
        Channel.DEPARTMENT: 5, Channel.MEDIA: 5,
    },
    Kind.RISK: {Channel.ASSIGNED: 30, Channel.MEDIA: 25, Channel.DEPARTMENT: 25, Channel.POLICE: 20},
}  # fmt: skip

# Of the cases of a township's area, the share first recorded at one of its villages, by channel.
VILLAGE_SHARE = {
    Channel.WALK_IN: 0.40, Channel.PHONE: 0.35, Channel.HOTLINE: 0.30, Channel.GRID: 0.85,
    Channel.SCREENING: 0.75, Channel.POLICE: 0.05, Channel.PETITION: 0.05, Channel.COURT: 0.0, Channel.QR: 0.45,
    Channel.LETTER: 0.15, Channel.ASSIGNED: 0.2, Channel.DEPARTMENT: 0.1, Channel.MEDIA: 0.1,
}  # fmt: skip

# Channels a clerk usually classifies while recording (the rest arrive unclassified).
CLASSIFIED_AT_INTAKE = frozenset(
    {
        Channel.WALK_IN,
        Channel.PHONE,
        Channel.GRID,
        Channel.SCREENING,
        Channel.POLICE,
        Channel.COURT,
        Channel.PETITION,
        Channel.DEPARTMENT,
        Channel.ASSIGNED,
    }
)

# Hours of the day cases come in, by channel.
OFFICE_HOURS = {8: 1, 9: 3, 10: 3, 11: 2.5, 12: 0.6, 13: 0.6, 14: 2.5, 15: 3, 16: 2.5, 17: 1}
HOURS = {
    "office": OFFICE_HOURS,
    "any": {h: w for h, w in zip(range(7, 23), [1, 2, 3, 3, 3, 2, 2, 3, 3, 3, 2, 2, 2, 2, 1.5, 1], strict=True)},
    "police": {h: (1.0 if 7 <= h < 18 else 2.0 if h < 23 else 0.8) if h >= 7 else 0.6 for h in range(24)},
    "field": {h: 2.0 if 9 <= h <= 17 else 0.8 for h in range(8, 20)},
}
CHANNEL_HOURS = {
    Channel.WALK_IN: "office", Channel.LETTER: "office", Channel.PETITION: "office", Channel.COURT: "office",
    Channel.DEPARTMENT: "office", Channel.ASSIGNED: "office", Channel.HOTLINE: "any", Channel.PHONE: "any",
    Channel.QR: "any", Channel.MEDIA: "any", Channel.POLICE: "police", Channel.GRID: "field",
    Channel.SCREENING: "field",
}  # fmt: skip

# Departments a case of a category goes to, in order of preference.
DEPARTMENT_KINDS = [
    ("d-marriage--domestic-violence", ["police", "justice"]),
    ("d-marriage", ["justice", "court"]),
    ("d-neighbour--drainage", ["housing", "justice"]),
    ("d-neighbour", ["justice", "police"]),
    ("d-housing--homestead", ["natural_resources", "justice"]),
    ("d-housing", ["housing", "justice"]),
    ("d-contract--construction", ["housing", "court"]),
    ("d-contract", ["court", "justice"]),
    ("d-business", ["justice", "court"]),
    ("d-damages", ["police", "justice"]),
    ("d-land", ["natural_resources", "justice"]),
    ("d-expropriation", ["natural_resources", "housing"]),
    ("d-environment", ["environment"]),
    ("d-labour", ["human_resources"]),
    ("d-consumer", ["market"]),
    ("d-medical", ["justice"]),
    ("d-traffic", ["police", "court"]),
    ("d-property-mgmt", ["housing"]),
    ("d-other", ["justice"]),
    ("r-civil-affairs", ["civil_affairs"]),
    ("r-elderly", ["civil_affairs"]),
    ("r-employment", ["human_resources"]),
    ("r-social-security", ["human_resources"]),
    ("r-household", ["police"]),
    ("r-traffic-mgmt", ["police"]),
    ("r-utilities", ["housing"]),
    ("r-city--stalls", ["market", "housing"]),
    ("r-city", ["housing"]),
    ("r-health--public-health", ["market", "environment"]),
]

SURNAMES = (
    "王" * 9 + "李" * 8 + "张" * 8 + "刘" * 6 + "陈" * 5 + "杨" * 5 + "马" * 6 + "赵" * 4 + "黄" * 2 + "周" * 3
    + "吴" * 2 + "徐" * 2 + "孙" * 3 + "胡" * 2 + "朱" * 2 + "高" * 3 + "何" * 2 + "郭" * 3 + "罗" * 2 + "梁" * 2
    + "魏" * 2 + "韩" * 2 + "冯" * 2 + "董" * 2 + "牛" * 2 + "石" * 2 + "田" * 2 + "段" * 2 + "苏" * 2 + "白" * 2
    + "林宋郑谢唐于程曹袁邓许沈曾彭吕卢蒋蔡贾丁薛叶余潘杜戴夏钟汪任姜范方姚谭廖邹金陆郝孔崔康毛邱秦江史顾侯邵孟"
    + "龙万雷钱汤尹常武乔贺龚文包祁安鲁裴雍火把"
)  # fmt: skip
MALE_CHARS = "伟强磊军勇杰涛明超刚平辉鹏华飞鑫波斌宇浩凯健俊帆旭宁龙林东建国志文海成亮兵福生贵喜荣新春德忠全峰"
FEMALE_CHARS = "芳娜敏静丽艳娟霞秀英玲桂兰梅琳燕萍红雪婷慧莉颖倩洁琴云莲珍凤花玉蓉丹晶晓佳欣悦怡彤"
OLD_MALE = ["建国", "建军", "国庆", "志强", "德福", "永福", "长生", "满仓", "有才", "富贵", "振华", "学军", "天明"]
OLD_FEMALE = ["秀英", "桂兰", "玉兰", "秀兰", "桂英", "凤英", "玉珍", "淑珍", "翠花", "巧云", "春梅", "兰英"]
MOBILE_PREFIXES = [
    "138", "139", "137", "136", "135", "150", "151", "152", "158", "159", "182", "183", "187", "188", "130",
    "131", "132", "155", "156", "185", "186", "133", "153", "180", "181", "189", "177", "199", "173", "191",
]  # fmt: skip
# Birth places (the first six digits of an identity number): Lanzhou and a few Gansu counties, and
# Beijing's Chaoyang district for the odd newcomer. Each is used only for birth years in which
# python-stdnum knows the code (620102 exists only since 1983, for instance).
BIRTH_PLACES = [
    ("620100", 4), ("620102", 6), ("620103", 4), ("620104", 2), ("620105", 2), ("620111", 1), ("620121", 4),
    ("620122", 3), ("620123", 4), ("620421", 1), ("620422", 2), ("620522", 1), ("622921", 2), ("110105", 0.3),
]  # fmt: skip

INDUSTRIES = {
    "company": ["商贸", "建筑工程", "装饰工程", "建材", "农业发展", "房地产开发"],
    "employer": ["建筑劳务", "建筑工程", "餐饮管理", "物流", "商贸", "机械制造", "家政服务"],
    "shop": ["电器", "汽车销售服务", "健身服务", "教育科技", "美容美发", "家具"],
    "property": ["物业服务", "物业管理"],
}
SHOP_SUFFIXES = ["超市", "家电城", "健身会所", "培训学校", "美发店", "电动车行"]
HOSPITALS = ["人民医院", "中医医院", "妇幼保健院", "社区卫生服务中心", "卫生院", "口腔诊所"]
INSURERS = ["中国人民财产保险股份有限公司", "中国平安财产保险股份有限公司", "中国太平洋财产保险股份有限公司"]

RESOLVE_NOTES = {
    Kind.DISPUTE: [
        "经调解，双方自愿达成协议并当场履行",
        "经调解双方达成一致，签订人民调解协议书",
        "经释法说理，双方互谅互让，矛盾化解",
        "双方达成协议，约定分期履行",
    ],
    Kind.REQUEST: [
        "已协调相关单位解决，群众诉求得到满足",
        "已向申请人解释相关政策并协助办理",
        "已联系责任单位现场处置完毕",
        "已帮助申请人完成相关手续",
    ],
    Kind.RISK: [
        "已组织网格员、民警上门稳控，风险已化解",
        "已落实包保责任人，当事人情绪稳定",
        "经走访疏导，矛盾双方握手言和，风险解除",
    ],
}
FAIL_NOTES = {
    Kind.DISPUTE: [
        "双方分歧较大，调解不成，引导通过诉讼途径解决",
        "被申请人拒绝调解",
        "多次组织调解未果，已告知当事人依法维权途径",
    ],
    Kind.REQUEST: ["诉求不符合现行政策规定，已向申请人解释说明", "涉及多个部门，本级协调未果"],
    Kind.RISK: ["当事人拒不配合，风险未能消除", "多次上门疏导未果，矛盾仍有激化可能"],
}
FEEDBACK = [
    ("phone", "已电话告知申请人处理结果"),
    ("face", "已当面向申请人反馈办理情况"),
    ("sms", "已短信告知处理结果"),
]
FOLLOW_UP_NOTES = {
    Kind.DISPUTE: [
        "回访了解协议履行情况，已履行完毕",
        "回访双方当事人，未再发生争执",
        "电话回访，申请人对调解结果认可",
    ],
    Kind.REQUEST: [
        "回访申请人，表示问题已解决",
        "回访申请人，对办理过程和结果认可",
        "电话回访，申请人未再提出其他诉求",
    ],
    Kind.RISK: ["回访当事人，情绪稳定，无异常", "网格员入户回访，风险未再反弹"],
}
# Why a case goes up, by the level it leaves.
ESCALATE_REASONS = {
    Level.VILLAGE: [
        "超出村（社区）职权范围，提请镇（街道）综治中心处理",
        "村级调解不成，矛盾有激化风险，上报镇（街道）综治中心",
        "涉及多个部门职责，村级难以协调，提请镇（街道）处理",
    ],
    Level.TOWNSHIP: [
        "涉及县级部门职责，提请县（区）综治中心协调",
        "争议金额较大、法律关系复杂，提请县（区）专业调解",
        "镇级调解不成且有越级上访风险，上报县（区）综治中心",
    ],
}
HAND_BACK_REASONS = {
    Channel.COURT: ["诉前调解不成，退回法院依法立案", "当事人不同意调解，退回法院"],
    Channel.POLICE: ["调解不成，退回派出所依法处理"],
    Channel.PETITION: ["属于涉法涉诉事项，退回信访部门按程序办理"],
}
UNSUITABLE_REASONS = ["不属于诉前调解范围，退回法院", "当事人明确拒绝诉前调解，退回法院"]
DECLINE_REASONS = [
    "不属于本部门职责范围，请重新派单",
    "该事项已进入司法程序，本部门不宜受理",
    "需属地先行核实情况，退回中心重新派单",
]
DISPATCH_INSTRUCTIONS = [
    "请于{n}个工作日内核实处理并反馈结果",
    "请尽快联系申请人，现场核实处置",
    "请报到承接，会同属地中心处理",
]
PROGRESS_REPORTS = ["已联系申请人了解情况", "已到现场核实，正在协调处理", "已约谈责任方，限期整改"]
FINAL_REPORTS = ["已处理完毕，申请人认可", "已督促责任方整改到位", "已按政策办理完毕", "已现场处置，问题解决"]
CONFIRM_NOTES = ["经复核，处理结果符合政策规定，维持原处理意见", "已再次与当事人沟通解释，处理结果维持"]
RATING_COMMENTS = {
    Rating.Value.SATISFIED: ["", "", "处理及时，非常满意", "问题解决了，谢谢", "工作人员态度很好"],
    Rating.Value.BASICALLY: ["", "基本解决，希望以后更及时一些", "结果还可以"],
    Rating.Value.DISSATISFIED: ["问题没有彻底解决", "对赔偿金额不满意", "办理时间太长"],
}

PLACE_SYLLABLES = "安平和兴隆丰泰宁康永定华新东西南北中山水河川源泉林桥湾坪岭石金银玉龙凤云阳明清长富春红花柳杨松柏"
ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # the receipt alphabet of cases.models.new_receipt
