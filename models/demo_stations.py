"""A synthetic Kazakhstan station registry for the demo mission and the benchmarks.

Kazakhstan's 20 regions with their populations, time zones as in force in March
2023, regional centres and districts (in Kazakh); stations spread by population,
named and addressed as real ones are, with their territorial commissions and
single-member districts. Invented: no station here is a real one.
"""

import random
from typing import NamedTuple

from models import contests, stations


class Region(NamedTuple):
    name: str
    zone: str  # IANA zone as in force in March 2023 (the country went to UTC+5 in 2024)
    population: int  # thousands, early 2023
    commission: str  # how the region's territorial commission is named, in Kazakh
    city: str  # the regional centre, in Kazakh
    city_at: tuple[float, float]
    rural_at: tuple[float, float, float] | None  # centre, spread in degrees; None for cities
    districts: str  # "|"-separated, in Kazakh; city districts for the three cities


REGIONS = (
    Region("Abai", "Asia/Almaty", 610, "Абай облыстық", "Семей", (50.41, 80.23),
           (48.8, 79.8, 1.2), "Аягөз|Бесқарағай|Бородулиха|Жарма|Үржар|Көкпекті"),
    Region("Akmola", "Asia/Almaty", 785, "Ақмола облыстық", "Көкшетау", (53.28, 69.39),
           (52.0, 70.5, 1.2), "Бурабай|Зеренді|Целиноград|Аршалы|Ақкөл|Атбасар|Есіл"),
    Region("Aktobe", "Asia/Aqtobe", 920, "Ақтөбе облыстық", "Ақтөбе", (50.28, 57.17),
           (48.5, 58.5, 1.4), "Алға|Хромтау|Мұғалжар|Қарғалы|Темір|Шалқар|Ырғыз"),
    Region("Almaty Region", "Asia/Almaty", 1500, "Алматы облыстық", "Қонаев", (43.87, 77.07),
           (43.7, 77.5, 0.7), "Іле|Еңбекшіқазақ|Қарасай|Талғар|Жамбыл|Райымбек|Ұйғыр|Кеген"),
    Region("Atyrau", "Asia/Atyrau", 690, "Атырау облыстық", "Атырау", (47.11, 51.92),
           (47.8, 53.0, 0.8), "Жылыой|Құрманғазы|Исатай|Индер|Мақат|Махамбет|Қызылқоға"),
    Region("West Kazakhstan", "Asia/Oral", 690, "Батыс Қазақстан облыстық", "Орал",
           (51.23, 51.37), (50.2, 51.8, 1.0), "Бәйтерек|Бөрлі|Теректі|Ақжайық|Жәнібек|Сырым"),
    Region("Zhambyl", "Asia/Almaty", 1210, "Жамбыл облыстық", "Тараз", (42.90, 71.37),
           (43.9, 72.3, 0.8), "Байзақ|Жамбыл|Қордай|Меркі|Шу|Талас|Жуалы|Сарысу"),
    Region("Zhetisu", "Asia/Almaty", 690, "Жетісу облыстық", "Талдықорған", (45.02, 78.37),
           (45.3, 79.0, 0.9), "Ақсу|Алакөл|Ескелді|Кербұлақ|Көксу|Панфилов|Сарқан"),
    Region("Karaganda", "Asia/Almaty", 1130, "Қарағанды облыстық", "Қарағанды", (49.80, 73.10),
           (49.3, 74.0, 1.4), "Абай|Бұқар жырау|Нұра|Осакаров|Қарқаралы|Шет|Ақтоғай"),
    Region("Kostanay", "Asia/Almaty", 830, "Қостанай облыстық", "Қостанай", (53.21, 63.63),
           (51.8, 64.0, 1.4), "Қостанай|Әулиекөл|Федоров|Қарасу|Жітіқара|Науырзым"),
    Region("Kyzylorda", "Asia/Qyzylorda", 830, "Қызылорда облыстық", "Қызылорда",
           (44.85, 65.51), (45.0, 64.5, 1.2), "Арал|Қазалы|Қармақшы|Жалағаш|Сырдария|Шиелі"),
    Region("Mangystau", "Asia/Aqtau", 760, "Маңғыстау облыстық", "Ақтау", (43.65, 51.17),
           (43.9, 53.5, 0.8), "Бейнеу|Қарақия|Маңғыстау|Мұнайлы|Түпқараған"),
    Region("Pavlodar", "Asia/Almaty", 750, "Павлодар облыстық", "Павлодар", (52.29, 76.97),
           (52.2, 76.5, 1.0), "Ертіс|Баянауыл|Железин|Успен|Щербакты|Аққулы"),
    Region("North Kazakhstan", "Asia/Almaty", 540, "Солтүстік Қазақстан облыстық", "Петропавл",
           (54.87, 69.15), (54.0, 69.3, 0.6), "Айыртау|Ақжар|Қызылжар|Мамлют|Ғабит Мүсірепов"),
    Region("Turkistan", "Asia/Almaty", 2110, "Түркістан облыстық", "Түркістан", (43.30, 68.25),
           (42.6, 68.6, 0.8), "Сарыағаш|Мақтаарал|Жетісай|Төле би|Түлкібас|Қазығұрт|Сайрам"),
    Region("Ulytau", "Asia/Almaty", 220, "Ұлытау облыстық", "Жезқазған", (47.78, 67.71),
           (47.5, 67.5, 1.2), "Ұлытау|Жаңаарқа"),
    Region("East Kazakhstan", "Asia/Almaty", 730, "Шығыс Қазақстан облыстық", "Өскемен",
           (49.95, 82.61), (49.5, 83.5, 0.9), "Алтай|Глубокое|Зайсан|Катонқарағай|Күршім|Ұлан"),
    Region("Astana", "Asia/Almaty", 1350, "Астана қалалық", "Астана", (51.17, 71.45), None,
           "Алматы|Байқоңыр|Есіл|Сарыарқа|Нұра"),
    Region("Almaty", "Asia/Almaty", 2210, "Алматы қалалық", "Алматы", (43.24, 76.89), None,
           "Алмалы|Әуезов|Бостандық|Жетісу|Медеу|Наурызбай|Түрксіб|Алатау"),
    Region("Shymkent", "Asia/Almaty", 1200, "Шымкент қалалық", "Шымкент", (42.32, 69.59), None,
           "Абай|Әл-Фараби|Еңбекші|Қаратау|Тұран"),
)
# The city districts the CEC put in each of districts 1-7 (Astana, Almaty, Shymkent).
CITY_SMDS = {("Astana", "Алматы"): 1, ("Astana", "Байқоңыр"): 1, ("Astana", "Есіл"): 2,
             ("Astana", "Сарыарқа"): 2, ("Astana", "Нұра"): 2,
             ("Almaty", "Алатау"): 3, ("Almaty", "Әуезов"): 3, ("Almaty", "Алмалы"): 4,
             ("Almaty", "Жетісу"): 4, ("Almaty", "Түрксіб"): 4, ("Almaty", "Бостандық"): 5,
             ("Almaty", "Медеу"): 5, ("Almaty", "Наурызбай"): 5,
             ("Shymkent", "Абай"): 6, ("Shymkent", "Тұран"): 6, ("Shymkent", "Әл-Фараби"): 6,
             ("Shymkent", "Еңбекші"): 7, ("Shymkent", "Қаратау"): 7}
STREETS = ("Абай|Жамбыл|Сәтбаев|Әуезов|Төле би|Қабанбай батыр|Желтоқсан|Бөкейхан|Тәуелсіздік|"
           "Достық|Мәметова|Пушкин|Гагарин|Наурыз|Құрманғазы").split("|")
VILLAGES = ("Ақсай|Жаңажол|Қызылту|Қарабұлақ|Бірлік|Көктерек|Жаңатұрмыс|Ақбұлақ|Сарыөзек|"
            "Береке|Ынтымақ|Шұбаркөл|Қайнар|Талдыбұлақ").split("|")
URBAN_NAMES = ("Школа-гимназия № {n}", "Средняя школа № {n}", "№ {n} жалпы білім беретін мектеп",
               "№ {n} мектеп-лицей", "{city} мектебі № {n}", "Колледж № {n}",
               "Қалалық емхана № {n}")
RURAL_NAMES = ("{village} орта мектебі", "Мәдениет үйі, {village} ауылы",
               "Дом культуры села {village}", "Ауылдық клуб «{village}»")



def apportion(total: int, weights: list[float]) -> list[int]:
    """Whole parts of ``total`` in proportion to ``weights`` (largest remainders).

    Every positive weight gets at least one when there are enough to go round,
    so small runs still cover all 20 regions and all four checklist types.
    """
    whole = sum(weights)
    shares = [total * w / whole if whole else 0 for w in weights]
    parts = [int(s) for s in shares]
    order = sorted(range(len(weights)), reverse=True, key=lambda i: shares[i] - parts[i])
    for i in order[:total - sum(parts)]:
        parts[i] += 1
    if total >= sum(1 for w in weights if w > 0):
        for i, w in enumerate(weights):
            if w > 0 and parts[i] == 0:  # one from the largest part
                parts[parts.index(max(parts))] -= 1
                parts[i] = 1
    return parts


def registry(count: int, rng: random.Random) -> tuple[list[dict], list[tuple[str, str]]]:
    """Station rows spread by population, and each station's territorial commissions."""
    rows, commissions = [], []
    smds = _smds_by_region()
    for region, n in zip(REGIONS, apportion(count, [r.population for r in REGIONS])):
        districts = region.districts.split("|")
        for _ in range(n):
            number = str(len(rows) + 1)
            street, house = rng.choice(STREETS), rng.randint(1, 180)
            village = None
            if region.rural_at is None or rng.random() < 0.45:
                name = rng.choice(URBAN_NAMES).format(n=rng.randint(1, 120), city=region.city)
                district = (f"{rng.choice(districts)} ауданы" if region.rural_at is None
                            else f"{region.city} қаласы")
                address = f"{region.city} қ., {street} көшесі, {house}"
                lat, lon = (c + rng.uniform(-0.06, 0.06) for c in region.city_at)
                voters = rng.randint(900, 3000)
            else:
                village = rng.choice(VILLAGES)
                name = rng.choice(RURAL_NAMES).format(village=village)
                district = f"{rng.choice(districts)} ауданы"
                address = f"{district}, {village} а., {street} көшесі, {house}"
                clat, clon, spread = region.rural_at
                lat = clat + rng.uniform(-spread, spread) * 0.7  # regions are wider than tall
                lon = clon + rng.uniform(-spread, spread)
                voters = rng.randint(300, 1500)
            rows.append({"number": number, "name": name, "address": address,
                         "region": region.name, "district": district, "timezone": region.zone,
                         "registered_voters": voters, "latitude": round(lat, 5),
                         "longitude": round(lon, 5),
                         "smd_district": _smd(region, district, smds),
                         "area_type": "rural" if village else "urban",
                         "search_text": stations.search_text(number, name, address, district)})
            local = district.replace(" ауданы", " аудандық").replace(" қаласы", " қалалық")
            commissions.append((f"{region.commission} сайлау комиссиясы",
                                f"{local} сайлау комиссиясы"))
    return rows, commissions


def _smds_by_region() -> dict[str, list[int]]:
    """The mission file's single-member districts of each region, by number."""
    found: dict[str, list[int]] = {}
    smd = contests.mission().district_contest()
    for district in smd.districts if smd else ():
        found.setdefault(district.region, []).append(district.number)
    return found


def _smd(region: Region, district: str, smds: dict[str, list[int]]) -> int | None:
    """A station's single-member district: whole territorial districts make one up.

    Drawn from the station's territorial district, not from the random
    generator, so a seed gives the same mission as before districts existed.
    """
    numbers = smds.get(region.name)
    if not numbers:
        return None
    local = district.removesuffix(" ауданы")
    if (region.name, local) in CITY_SMDS:
        return CITY_SMDS[region.name, local]
    names = region.districts.split("|")
    # Neighbouring districts in the list share a single-member district.
    return numbers[names.index(local) * len(numbers) // len(names) if local in names else 0]
