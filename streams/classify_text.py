"""Length-preserving text normalisation for the classifier.

Input: raw title/text in simplified or traditional Chinese or English. Output: a string of the
same length where traditional characters are folded to simplified, full-width ASCII is folded
to ASCII, ASCII letters are lower-cased and typographic dashes/quotes are unified. Because each
character maps to exactly one character, match offsets in the normalised text are offsets in
the original, so evidence snippets can quote the original text.
"""

from __future__ import annotations

import re

# Traditional → simplified pairs (first string traditional, second simplified, same order).
# Covers the characters of the therapy, policy, institution and region vocabulary plus the
# most frequent traditional characters in news text. Characters not listed pass unchanged.
_TRAD = (
    "細療醫藥幹臨試驗報導國際區產産業發開關於與術學體機構務門員會長東華經濟場專應證審準註冊劑製"
    "號這個們來時對為爲說話語還進過後從當點現實據數種類萬億歲無雖變樣頭見視親觀覺計記設訪許論評診"
    "讀課調談議護譯讓詞該詳認識請諾謝講貝財責費資質購賽贊車軍轉輸辦農邊遺選遞郵鄉錄鋼錢鐵銀鏈間閱"
    "陸陽隊階隨險難雙雜雞電靈頁項順須預領頻題顏願顯風飛飲養館馬髮鬥魚鳥麥黃齊齒龍龜腫癥傳創擴殺腦"
    "臟腎膽脈聯聲職腸膚藝節範築簡紀約級紅純納組終結給絡統絲綫線練總績維綜緊編緣縣織繼續網羅義習聖"
    "聞蘭蘇處蟲衛衝補複規覽觸訂討訓託誌誕誤諮謀豐賓賴趨跡蹤軟載較輔輕輪辭運遠適遷邁鄭釋針銷鍵鎮鏡"
    "閉闆闊陣陳陰隱雲靜響頒頓頸顆顧飯驅驟鬆麗黨齡劃劉勞勝勢勵協卻厲參叢啟啓喚單嚴圍園圖團堅塊壓壞"
    "壯壽夢奪奮婦媽孫寧寫寶將尋屆層屬嶺島峽幣帶幫廣廠廳張強彈彙徑復徵憶懷態戰戲戶擇擊擔擁擬攜攝敗"
    "敵斷晉暫書條楊樂樓標樹橋檢權歐歡歷歸殘氣漢湯溝滿濱災烏煙燈營爭牆獎獨獲環畫癒盡監盤盧碼確礎禮"
    "離稱穩窮競筆糧紙絕綠緒締縮臺興舉舊藍蘋裝裡訊詢誠譜豬貢貨販貴貸賀賣賞贏趕軌輯達遲邏鄰鉛銅錯閃"
    "問閣闡陝隻韓頂額颱飾餘馮騰驚魯鮮鹽麼黴濾誘膠纖嬰兒價則測載異臍帶髓傷樹嵌苗測池陽燃"
    "灣遼瀋爾齊貴廈溫紹揚瓊鰲錫連鄂內蒙涼瀘綿廣贛嶽懸鞍營撫遼銘淵滬閩晉豫粵瀾蘊緬"
    "衆眾綫迴裏鬱醬鹼鈣鋰鎳鈷層電蓄儲聚氫釩鏈碳礦鑽撐勢權審評錄簽屬聽禱祕秘溼濕"
    "凱濟巨諾傳奇復興團濤潔齣龐啟顛纜蓋紡織擴"
    "兩亙亞侖別動備奧莊慶牀庫恆擾損橫澤潤遊濰燒狀獻瘓癱肅髒薩貼贈鐮馴衞"
    "噴灑塗堿篩"
)
_SIMP = (
    "细疗医药干临试验报导国际区产产业发开关于与术学体机构务门员会长东华经济场专应证审准注册剂制"
    "号这个们来时对为为说话语还进过后从当点现实据数种类万亿岁无虽变样头见视亲观觉计记设访许论评诊"
    "读课调谈议护译让词该详认识请诺谢讲贝财责费资质购赛赞车军转输办农边遗选递邮乡录钢钱铁银链间阅"
    "陆阳队阶随险难双杂鸡电灵页项顺须预领频题颜愿显风飞饮养馆马发斗鱼鸟麦黄齐齿龙龟肿症传创扩杀脑"
    "脏肾胆脉联声职肠肤艺节范筑简纪约级红纯纳组终结给络统丝线线练总绩维综紧编缘县织继续网罗义习圣"
    "闻兰苏处虫卫冲补复规览触订讨训托志诞误咨谋丰宾赖趋迹踪软载较辅轻轮辞运远适迁迈郑释针销键镇镜"
    "闭板阔阵陈阴隐云静响颁顿颈颗顾饭驱骤松丽党龄划刘劳胜势励协却厉参丛启启唤单严围园图团坚块压坏"
    "壮寿梦夺奋妇妈孙宁写宝将寻届层属岭岛峡币带帮广厂厅张强弹汇径复征忆怀态战戏户择击担拥拟携摄败"
    "敌断晋暂书条杨乐楼标树桥检权欧欢历归残气汉汤沟满滨灾乌烟灯营争墙奖独获环画愈尽监盘卢码确础礼"
    "离称稳穷竞笔粮纸绝绿绪缔缩台兴举旧蓝苹装里讯询诚谱猪贡货贩贵贷贺卖赏赢赶轨辑达迟逻邻铅铜错闪"
    "问阁阐陕只韩顶额台饰余冯腾惊鲁鲜盐么霉滤诱胶纤婴儿价则测载异脐带髓伤树嵌苗测池阳燃"
    "湾辽沈尔齐贵厦温绍扬琼鳌锡连鄂内蒙凉泸绵广赣岳悬鞍营抚辽铭渊沪闽晋豫粤澜蕴缅"
    "众众线回里郁酱碱钙锂镍钴层电蓄储聚氢钒链碳矿钻撑势权审评录签属听祷秘秘湿湿"
    "凯济巨诺传奇复兴团涛洁出庞启颠缆盖纺织扩"
    "两亘亚仑别动备奥庄庆床库恒扰损横泽润游潍烧状献痪瘫肃脏萨贴赠镰驯卫"
    "喷洒涂碱筛"
)
_PUNCT = {
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2212": "-",
    "\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u00a0": " ", "\u3000": " ",
    "\u00b7": " ", "\u30fb": " ",
}


def _build_table() -> dict[int, str]:
    if len(_TRAD) != len(_SIMP):
        raise RuntimeError("traditional/simplified tables differ in length")
    table: dict[int, str] = {ord(t): s for t, s in zip(_TRAD, _SIMP, strict=True) if t != s}
    for code in range(0xFF01, 0xFF5F):  # full-width ASCII
        table[code] = chr(code - 0xFEE0).lower()
    for code in range(ord("A"), ord("Z") + 1):
        table[code] = chr(code).lower()
    table.update({ord(k): v for k, v in _PUNCT.items()})
    return table


_TABLE = _build_table()
NORMALIZE_TABLE: dict[int, str] = dict(_TABLE)  # for folds built on this one (stories)
# The same table as a tuple of one-character strings indexed by code point: ``str.translate``
# looks it up faster than a dict or a string (which builds a new string per character);
# characters beyond the BMP raise IndexError there and so pass unchanged.
_TABLE_BMP = tuple(_TABLE.get(code, chr(code)) for code in range(0x10000))
_CJK = re.compile(r"[\u3400-\u9fff]")


def normalize(text: str) -> str:
    """Fold script, width and case; the result has exactly the length of ``text``."""
    return text.translate(_TABLE_BMP)


def trad_to_simp(text: str) -> str:
    """Fold traditional characters only (for tests and operator tools)."""
    return "".join(_TABLE.get(ord(c), c) if _CJK.match(c) else c for c in text)


def text_units(norm: str, units_per_cjk_char: float) -> float:
    """Length in word-like units: ASCII words plus non-ASCII characters times a factor."""
    ascii_only = norm.encode("ascii", "ignore")
    non_ascii = len(norm) - len(ascii_only)
    return max(1.0, len(ascii_only.split()) + non_ascii * units_per_cjk_char)


def snippet(text: str, start: int, end: int, width: int = 60) -> str:
    """About ``width`` characters of ``text`` around ``[start, end)``, whitespace squeezed."""
    pad = max(0, (width - (end - start)) // 2)
    lo, hi = max(0, start - pad), min(len(text), end + pad)
    out = " ".join(text[lo:hi].split())
    return ("…" if lo > 0 else "") + out + ("…" if hi < len(text) else "")
