"""Synthetic data for MEPSIS: a state's districts and schools, and COE documents, realistic and repeatable.

The demo, the tests and the benchmarks all use it. Pure Python with no Django: every random choice comes
from one ``random.Random(seed)`` and only through ``random()``, whose algorithm Python keeps stable, so
a seed gives the same files on every machine and every Python 3.

- ``make_orgs`` gives the rows of the orgs file (interfaces.md, "Districts and schools"), Wisconsin-like:
  4-digit district ids, CESA regions, NCES ids of the right shape, an Ed-Fi id.
- ``make_coes`` gives COE documents (interfaces.md, "COE document") for migrant families as Wisconsin
  sees them: Hispanic families with compound surnames, mostly seasonal farm work (cherries, apples,
  cranberries), some temporary dairy work and some fishing. Each is valid and eligible under
  ``mepsis.rules.check_coe``, except the share ``defect_rate`` asks for, which carry exactly one
  deliberate defect each (``make_labelled_coes`` says which).
- ``python -m mepsis.synth orgs|coes|sample`` writes them; ``sample`` regenerates the small sample state
  that ships in ``mepsis/sample/``.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import sys
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Mapping, Sequence
from math import log
from pathlib import Path
from random import Random
from typing import IO, Any

ORG_COLUMNS = ("district_id", "district_name", "school_id", "school_name", "nces_district_id", "nces_school_id",
               "region", "grades", "edfi_id")
STATUSES = ("draft", "submitted", "returned", "approved", "rejected", "void")
# A defective document is never approved; when the caller's statuses have no other, it gets one of these.
DEFECT_STATUSES = {"submitted": 2, "returned": 2, "rejected": 1}

SAMPLE_DIR = Path(__file__).with_name("sample")
SAMPLE_SEED = 2025

# ---------------------------------------------------------------------------------------------------------
# Reference tables
# ---------------------------------------------------------------------------------------------------------

_FIPS = {
    "AL": "01", "AK": "02", "AZ": "04", "AR": "05", "CA": "06", "CO": "08", "CT": "09", "DE": "10", "DC": "11",
    "FL": "12", "GA": "13", "HI": "15", "ID": "16", "IL": "17", "IN": "18", "IA": "19", "KS": "20", "KY": "21",
    "LA": "22", "ME": "23", "MD": "24", "MA": "25", "MI": "26", "MN": "27", "MS": "28", "MO": "29", "MT": "30",
    "NE": "31", "NV": "32", "NH": "33", "NJ": "34", "NM": "35", "NY": "36", "NC": "37", "ND": "38", "OH": "39",
    "OK": "40", "OR": "41", "PA": "42", "RI": "44", "SC": "45", "SD": "46", "TN": "47", "TX": "48", "UT": "49",
    "VT": "50", "VA": "51", "WA": "53", "WV": "54", "WI": "55", "WY": "56", "PR": "72",
}

# Wisconsin towns that name school districts, with a ZIP code and the telephone area code.
_TOWNS_TEXT = """
Sturgeon Bay 54235 920|Sevastopol 54235 920|Gibraltar 54212 920|Southern Door 54204 920|Algoma 54201 920
Kewaunee 54216 920|Luxemburg 54217 920|Denmark 54208 920|Mishicot 54228 920|Two Rivers 54241 920
Manitowoc 54220 920|Kiel 53042 920|Chilton 53014 920|New Holstein 53061 920|Brillion 54110 920
Plymouth 53073 920|Sheboygan Falls 53085 920|Random Lake 53075 920|Kewaskum 53040 262|West Bend 53095 262
Hartford 53027 262|Slinger 53086 262|Beaver Dam 53916 920|Waupun 53963 920|Markesan 53946 920
Ripon 54971 920|Green Lake 54941 920|Berlin 54923 920|Princeton 54968 920|Wautoma 54982 920
Redgranite 54970 920|Wild Rose 54984 920|Omro 54963 920|Winneconne 54986 920|Oshkosh 54901 920
Neenah 54956 920|Menasha 54952 920|Kaukauna 54130 920|Kimberly 54136 920|Little Chute 54140 920
Hortonville 54944 920|New London 54961 920|Weyauwega 54983 920|Waupaca 54981 715|Iola 54945 715
Manawa 54949 920|Clintonville 54929 715|Marion 54950 715|Shawano 54166 715|Bonduel 54107 715
Gillett 54124 920|Oconto 54153 920|Oconto Falls 54154 920|Suring 54174 920|Pulaski 54162 920
De Pere 54115 920|Wrightstown 54180 920|Peshtigo 54157 715|Marinette 54143 715|Crivitz 54114 715
Wausaukee 54177 715|Niagara 54151 715|Florence 54121 715|Crandon 54520 715|Laona 54541 715
Wabeno 54566 715|Antigo 54409 715|Rhinelander 54501 715|Eagle River 54521 715|Minocqua 54548 715
Tomahawk 54487 715|Merrill 54452 715|Wausau 54401 715|Mosinee 54455 715|Athens 54411 715
Edgar 54426 715|Marathon City 54448 715|Wittenberg 54499 715|Birnamwood 54414 715|Tigerton 54486 715
Rosholt 54473 715|Amherst 54406 715|Almond 54909 715|Plover 54467 715|Stevens Point 54481 715
Wisconsin Rapids 54494 715|Port Edwards 54469 715|Nekoosa 54457 715|Pittsville 54466 715|Marshfield 54449 715
Stratford 54484 715|Spencer 54479 715|Colby 54421 715|Abbotsford 54405 715|Medford 54451 715
Loyal 54446 715|Greenwood 54437 715|Neillsville 54456 715|Granton 54436 715|Owen 54460 715
Thorp 54771 715|Stanley 54768 715|Cadott 54727 715|Bloomer 54724 715|Chippewa Falls 54729 715
Cornell 54732 715|Lake Holcombe 54745 715|Ladysmith 54848 715|Flambeau 54563 715|Park Falls 54552 715
Phillips 54555 715|Prentice 54556 715|Rib Lake 54470 715|Hayward 54843 715|Spooner 54801 715
Shell Lake 54871 715|Cumberland 54829 715|Rice Lake 54868 715|Barron 54812 715|Chetek 54728 715
Cameron 54822 715|Turtle Lake 54889 715|Clayton 54004 715|Amery 54001 715|Osceola 54020 715
Saint Croix Falls 54024 715|Frederic 54837 715|Luck 54853 715|Unity 54810 715|Siren 54872 715
Webster 54893 715|Grantsburg 54840 715|Baldwin 54002 715|Glenwood City 54013 715|New Richmond 54017 715
Somerset 54025 715|Hudson 54016 715|River Falls 54022 715|Prescott 54021 715|Ellsworth 54011 715
Plum City 54761 715|Elmwood 54740 715|Spring Valley 54767 715|Boyceville 54725 715|Colfax 54730 715
Elk Mound 54739 715|Menomonie 54751 715|Durand 54736 715|Pepin 54759 715|Mondovi 54755 715
Alma 54610 608|Cochrane 54622 608|Arcadia 54612 608|Independence 54747 715|Whitehall 54773 715
Blair 54616 608|Osseo 54758 715|Augusta 54722 715|Fall Creek 54742 715|Altoona 54720 715
Eau Claire 54701 715|Galesville 54630 608|Trempealeau 54661 608|Onalaska 54650 608|Holmen 54636 608
West Salem 54669 608|Bangor 54614 608|La Crosse 54601 608|Melrose 54642 608|Black River Falls 54615 715
Sparta 54656 608|Tomah 54660 608|Warrens 54666 608|Cashton 54619 608|Norwalk 54648 608
Westby 54667 608|Viroqua 54665 608|De Soto 54624 608|La Farge 54639 608|Hillsboro 54634 608
Wonewoc 53968 608|Elroy 53929 608|Necedah 54646 608|Mauston 53948 608|New Lisbon 53950 608
Adams 53910 608|Wisconsin Dells 53965 608|Westfield 53964 608|Montello 53949 608|Pardeeville 53954 608
Portage 53901 608|Poynette 53955 608|Lodi 53555 608|Baraboo 53913 608|Reedsburg 53959 608
Sauk Prairie 53578 608|Richland Center 53581 608|Ithaca 53581 608|Boscobel 53805 608|Fennimore 53809 608
Lancaster 53813 608|Prairie du Chien 53821 608|Platteville 53818 608|Cuba City 53807 608|Benton 53803 608
Darlington 53530 608|Mineral Point 53565 608|Dodgeville 53533 608|Barneveld 53507 608|Monroe 53566 608
Brodhead 53520 608|Juda 53550 608|Albany 53502 608|Evansville 53536 608|Edgerton 53534 608
Milton 53563 608|Clinton 53525 608|Delavan 53115 262|Elkhorn 53121 262|Lake Geneva 53147 262
Walworth 53184 262|Whitewater 53190 262|Palmyra 53156 262|Fort Atkinson 53538 920|Jefferson 53549 920
Cambridge 53523 608|Lake Mills 53551 920|Waterloo 53594 920|Watertown 53094 920|Johnson Creek 53038 920
Columbus 53925 920|Randolph 53956 920|Cambria 53923 920|Rio 53960 920|Horicon 53032 920
Mayville 53050 920|Lomira 53048 920|Campbellsport 53010 920|Fond du Lac 54935 920|North Fond du Lac 54937 920
Washington Island 54246 920|Bayfield 54814 715|Ashland 54806 715|Washburn 54891 715|Mellen 54546 715
"""
_TOWNS: list[tuple[str, str, str]] = []
for _line in _TOWNS_TEXT.strip().splitlines():
    for _entry in _line.split("|"):
        _name, _zip, _area = _entry.strip().rsplit(" ", 2)
        _TOWNS.append((_name, _zip, _area))
_TOWN_INFO = {name: (zip_code, area) for name, zip_code, area in _TOWNS}
del _line, _entry, _name, _zip, _area

_ELEMENTARY_NAMES = (
    "Lincoln", "Washington", "Jefferson", "Roosevelt", "Franklin", "Riverside", "Prairie View", "Meadowview",
    "Sunset", "Northside", "Southside", "Eastview", "Westside", "Pine Grove", "Oak Ridge", "Maple Grove",
    "Cherry Lane", "Lakeview", "Hillcrest", "Parkview", "Orchard Ridge", "Fox River", "Sunrise", "Woodland",
)

# Where families come from: (city, state, country, district); Mexican states by their ISO 3166-2 code.
_ORIGINS_TEXT = """
TX|Weslaco|Weslaco ISD|8;Edinburg|Edinburg CISD|7;Pharr|Pharr-San Juan-Alamo ISD|6;Mission|Mission CISD|5
TX|Donna|Donna ISD|5;Eagle Pass|Eagle Pass ISD|5;Brownsville|Brownsville ISD|4
TX|Rio Grande City|Rio Grande City Grulla ISD|4
TX|Crystal City|Crystal City ISD|3;Laredo|United ISD|3;Mercedes|Mercedes ISD|3;Hidalgo|Hidalgo ISD|2
TX|Raymondville|Raymondville ISD|2;Harlingen|Harlingen CISD|2;La Joya|La Joya ISD|3;San Benito|San Benito CISD|2
TX|Del Rio|San Felipe Del Rio CISD|2;Hereford|Hereford ISD|1;Zapata|Zapata County ISD|1
FL|Immokalee|Collier County Public Schools|5;Belle Glade|Palm Beach County School District|3
FL|Homestead|Miami-Dade County Public Schools|2;Wimauma|Hillsborough County Public Schools|2
FL|Plant City|Hillsborough County Public Schools|2;Apopka|Orange County Public Schools|1
FL|Fort Pierce|St. Lucie Public Schools|1;Arcadia|DeSoto County Schools|1;Quincy|Gadsden County Schools|1
CA|Salinas|Alisal Union School District|2;Delano|Delano Union School District|1;Oxnard|Oxnard School District|1
CA|Watsonville|Pajaro Valley Unified School District|1;Coachella|Coachella Valley Unified School District|1
MI|Hart|Hart Public Schools|2;Shelby|Shelby Public Schools|1;Sparta|Sparta Area Schools|1
MI|Coloma|Coloma Community Schools|1
MN|Willmar|Willmar Public Schools|1;Owatonna|Owatonna Public Schools|1;Crookston|Crookston Public Schools|1
IL|Rochelle|Rochelle Community Consolidated School District 231|1;Kankakee|Kankakee School District 111|1
AZ|Yuma|Yuma Elementary School District One|1;San Luis|Gadsden Elementary School District 32|1
WA|Pasco|Pasco School District|1;Wapato|Wapato School District|1
GA|Moultrie|Colquitt County School District|1
MIC|Morelia||2;Uruapan||2;Zamora||2
GUA|Irapuato||2;Celaya||1;León||1
JAL|Guadalajara||1;Tepatitlán||1
TAM|Matamoros||2;Reynosa||2;Nuevo Laredo||1
NLE|Monterrey||1;SLP|San Luis Potosí||1;OAX|Oaxaca de Juárez||1;GRO|Acapulco||1;VER|Xalapa||1
ZAC|Fresnillo||1;COA|Piedras Negras||1;HID|Ixmiquilpan||1
"""
_MX_STATES = {"MIC", "GUA", "JAL", "TAM", "NLE", "SLP", "OAX", "GRO", "VER", "ZAC", "COA", "HID"}


def _parse_origins() -> list[tuple[tuple[str, str, str, str | None], float]]:
    origins = []
    for line in _ORIGINS_TEXT.strip().splitlines():
        state, _, rest = line.partition("|")
        for entry in rest.split(";"):
            if entry.count("|") == 3:  # a second state on the same line
                state, entry = entry.split("|", 1)
            city, district, weight = entry.split("|")
            country = "MX" if state in _MX_STATES else "US"
            origins.append(((city, state, country, district or None), float(weight)))
    return origins


# Qualifying work: (activity, sector, duration, season start (month, day), season end, weight, employer).
_WORK = (
    ("picking cherries", "agricultural", "seasonal", (6, 25), (8, 10), 14, "{} Orchards"),
    ("picking apples", "agricultural", "seasonal", (8, 25), (10, 31), 10, "{} Orchards"),
    ("cranberry harvest", "agricultural", "seasonal", (9, 15), (11, 5), 10, "{} Cranberry Marsh"),
    ("harvesting cucumbers", "agricultural", "seasonal", (7, 5), (9, 10), 8, "{} Farms"),
    ("detasseling seed corn", "agricultural", "seasonal", (7, 5), (8, 10), 5, "{} Seed Farms"),
    ("harvesting potatoes", "agricultural", "seasonal", (8, 15), (10, 20), 6, "{} Potato Farms"),
    ("sorting and packing potatoes", "agricultural", "seasonal", (8, 20), (11, 15), 3, "{} Potato Farms"),
    ("picking strawberries", "agricultural", "seasonal", (6, 5), (7, 10), 5, "{} Berry Farm"),
    ("harvesting sweet corn", "agricultural", "seasonal", (7, 20), (9, 20), 5, "{} Farms"),
    ("harvesting ginseng", "agricultural", "seasonal", (9, 1), (10, 31), 3, "{} Ginseng Gardens"),
    ("shearing Christmas trees", "agricultural", "seasonal", (6, 10), (8, 20), 3, "{} Tree Farm"),
    ("planting and weeding vegetables", "agricultural", "seasonal", (5, 1), (6, 30), 4, "{} Vegetable Farm"),
    ("milking cows on a dairy farm", "agricultural", "temporary", (2, 1), (11, 30), 11, "{} Dairy"),
    ("feeding calves on a dairy farm", "agricultural", "temporary", (2, 1), (11, 30), 3, "{} Dairy"),
    ("gathering eggs at a poultry farm", "agricultural", "temporary", (2, 1), (11, 30), 3, "{} Egg Farm"),
    ("caring for hogs on a hog farm", "agricultural", "temporary", (3, 1), (11, 30), 2, "{} Pork"),
    ("potting trees at a tree nursery", "agricultural", "temporary", (3, 15), (6, 30), 2, "{} Nursery"),
    ("processing fish", "fishing", "seasonal", (4, 15), (11, 1), 3, "{} Fisheries"),
    ("catching whitefish on Lake Michigan", "fishing", "seasonal", (4, 15), (11, 1), 2, "{} Fisheries"),
    ("cleaning and filleting fish", "fishing", "temporary", (3, 1), (11, 15), 2, "{} Fish Market"),
    ("feeding trout at a fish farm", "fishing", "temporary", (3, 1), (11, 15), 1, "{} Trout Farm"),
)
_FARM_NAMES = (
    "Schultz", "Lemke", "Koehler", "Nowak", "Wojcik", "Krueger", "Vanden Heuvel", "Jansen", "Schmitt",
    "Brandt", "Weber", "Zielinski", "Hansen", "Olson", "Meier", "Door Peninsula", "Lakeshore", "Sunny Ridge",
    "Cedar Valley", "Badger State", "Northwoods", "Pine Creek", "Maple Hill", "Green Meadow",
)
_STREETS = (
    "Orchard Rd", "County Road K", "County Road T", "Cherry Ln", "Main St", "State Hwy 57", "Mill St",
    "Elm St", "Oak St", "Park Ave", "Lake St", "Bay View Rd", "Cranberry Ln", "Dairy Rd", "Maple Ave",
    "2nd St", "3rd Ave", "Church St", "Railroad St", "Farm Lane", "Willow Dr", "Hwy 42", "Division St",
)

_SURNAMES_TEXT = """
García Hernández Martínez López González Rodríguez Pérez Sánchez Ramírez Cruz Flores Gómez Morales Vázquez
Reyes Jiménez Torres Díaz Gutiérrez Ruiz Mendoza Aguilar Ortiz Moreno Castillo Romero Álvarez Méndez Chávez
Rivera Juárez Ramos Domínguez Herrera Medina Castro Vargas Guzmán Velázquez Muñoz Rojas Contreras Salazar
Luna Ortega Santiago Guerrero Estrada Bautista Cortés Soto Alvarado Espinoza Lara Ávila Ríos Cervantes Silva
Delgado Vega Márquez Sandoval Fernández León Carrillo Mejía Solís Núñez Rosas Valdez Ibarra Campos Santos
Camacho Navarro Peña Maldonado Rosales Acosta Miranda Trejo Valencia Nava Pacheco Huerta Padilla Ibáñez
Fuentes Cabrera Zamora Orozco Ochoa Cárdenas Macías Villanueva Benítez Escobar Galván Meza Montes Ayala
Garza Treviño Saldaña Villarreal Quintanilla Hinojosa Cantú Zúñiga Barrera Longoria
"""
_MAYAN_SURNAMES = ("Tzoc", "Ixcoy", "Cux", "Xicará", "Chiquín", "Ajanel", "Ixcot", "Quiej", "Tum", "Sic", "Ajú",
                   "Coyoy", "Pascual", "Domingo", "Mateo", "Francisco")
_WOMEN = ("María", "Rosa", "Guadalupe", "Juana", "Ana", "Carmen", "Elena", "Margarita", "Verónica", "Alejandra",
          "Patricia", "Leticia", "Silvia", "Claudia", "Adriana", "Gabriela", "Yolanda", "Martha", "Norma",
          "Sandra", "Araceli", "Maribel", "Blanca", "Lorena", "Irma", "Esperanza", "Teresa", "Isabel", "Lucía",
          "Rocío", "María Elena", "Ana María", "Luz María", "Angélica", "Mónica", "Reyna", "Cecilia", "Ofelia")
_MEN = ("José", "Juan", "Luis", "Jesús", "Miguel", "Francisco", "Antonio", "Pedro", "Manuel", "Ramón", "Jorge",
        "Carlos", "Alejandro", "Rafael", "Roberto", "Fernando", "Javier", "Sergio", "Raúl", "Arturo", "Ricardo",
        "Eduardo", "Martín", "Rubén", "Salvador", "Gerardo", "Héctor", "Enrique", "Víctor", "Álvaro", "José Luis",
        "Juan Carlos", "Jesús Manuel", "Efraín", "Joaquín", "Ignacio", "Rogelio", "Gustavo")
_GIRLS = ("Sofía", "Valeria", "Camila", "Ximena", "Isabella", "Daniela", "Mía", "Regina", "Fernanda", "Andrea",
          "Natalia", "Guadalupe", "Jimena", "Abigail", "Melanie", "Ashley", "Jennifer", "Karla", "Yaretzi", "Dulce",
          "Alondra", "Génesis", "Brenda", "Itzel", "Evelyn", "Leslie", "María José", "Victoria", "Emily", "Paola",
          "Zoé", "Renata", "Aylin", "Mariana", "Lizbeth", "Yesenia", "Citlali", "Nayeli", "Kimberly", "Marisol")
_BOYS = ("Santiago", "Mateo", "Sebastián", "Leonardo", "Diego", "Emiliano", "Daniel", "Alexander", "Ángel",
         "Jesús", "José", "Juan Pablo", "Luis", "Miguel Ángel", "Kevin", "Brian", "Christopher", "Jonathan",
         "Adrián", "Iván", "Julián", "Eduardo", "Alan", "Érick", "Jorge", "Óscar", "Cristian", "Anthony", "Jayden",
         "Joaquín", "Damián", "Gael", "Andrés", "Uriel", "Fernando", "Alejandro", "Isaac", "Ricardo", "Omar")
_GIRL_MIDDLES = ("Guadalupe", "Isabel", "Fernanda", "Abigail", "Lizbeth", "Yamileth", "Alejandra", "Monserrat")
_BOY_MIDDLES = ("Alejandro", "Antonio", "Jesús", "Manuel", "David", "Ángel", "Eduardo", "Francisco")

_ANGLO_SURNAMES = ("Smith", "Johnson", "Miller", "Davis", "Wilson", "Taylor", "Anderson", "Thomas", "Moore",
                   "Martin", "Jackson", "White", "Harris", "Clark", "Lewis", "Walker", "Hall", "Young", "King",
                   "Wright", "Baker", "Nelson", "Carter", "Mitchell", "Hughes", "Price", "Bennett", "Wood")
_ANGLO_WOMEN = ("Jennifer", "Amanda", "Jessica", "Sarah", "Ashley", "Crystal", "Heather", "Brandy", "Amber",
                "Tiffany", "Melissa", "Stephanie")
_ANGLO_MEN = ("James", "Michael", "Robert", "William", "David", "Joshua", "Travis", "Dustin", "Cody", "Brandon",
              "Jeremy", "Kyle")
_ANGLO_GIRLS = ("Emma", "Olivia", "Ava", "Madison", "Hailey", "Brooklyn", "Kaylee", "Harper", "Abigail", "Chloe",
                "Lily", "Paisley")
_ANGLO_BOYS = ("Liam", "Noah", "Mason", "Logan", "Hunter", "Wyatt", "Carter", "Bentley", "Jaxon", "Owen",
               "Landon", "Caleb")

_HAITIAN_SURNAMES = ("Jean-Baptiste", "Pierre", "Joseph", "Louis", "Charles", "Étienne", "Desir", "Augustin",
                     "Toussaint", "Beauvais", "Jean-Louis", "Saint-Fleur")
_HAITIAN_WOMEN = ("Marie", "Rose", "Guerline", "Fabiola", "Nadège", "Mirlande", "Nathalie", "Roseline")
_HAITIAN_MEN = ("Jean", "Jacques", "Wilner", "Frantz", "Ronald", "Evens", "Jean-Claude", "Pierre-Louis")
_HAITIAN_GIRLS = ("Daphnée", "Esther", "Naomie", "Christelle", "Widline", "Sarah", "Fabienne", "Loudmia")
_HAITIAN_BOYS = ("Samuel", "Woodley", "Kervens", "Peterson", "Stevenson", "Jameson", "Wisly", "Daniel")

_RECRUITERS = ("M. Ortiz", "L. Cantú", "R. Delgado", "S. Medina", "J. Torres", "E. Salinas", "C. Vega", "P. Mora",
               "D. Lemke", "K. Schmidt", "T. Aguirre", "B. Nowak", "A. Villarreal", "N. Herrera")
_REVIEWERS = ("J. Lee", "A. Schultz", "R. Baumann")
_VERIFICATIONS = (("BIRTH_CERTIFICATE", 70), ("PREVIOUS_SCHOOL_RECORDS", 8), ("BAPTISMAL_CERTIFICATE", 5),
                  ("HOSPITAL_CERTIFICATE", 5), ("PASSPORT", 5), ("PARENT_AFFIDAVIT", 5), ("OTHER", 2))

_NO_ACCENTS = str.maketrans("áéíóúÁÉÍÓÚñÑüÜ", "aeiouAEIOUnNuU")
_GRADES = {4: "PK", 5: "KG", **{age: f"{age - 5:02d}" for age in range(6, 18)}}
_SSID_STEP = 7_919_876_543  # coprime with 9 * 10**9, so the state student ids of different children differ


class _Table:
    """A weighted choice drawn with one ``random()``."""

    __slots__ = ("items", "cumulative", "total")

    def __init__(self, pairs: Iterable[tuple[Any, float]]):
        self.items: list[Any] = []
        self.cumulative: list[float] = []
        total = 0.0
        for item, weight in pairs:
            if weight > 0:
                total += weight
                self.items.append(item)
                self.cumulative.append(total)
        if not self.items:
            raise ValueError("a weighted choice needs at least one positive weight")
        self.total = total

    def pick(self, random: Any) -> Any:
        return self.items[bisect_right(self.cumulative, random() * self.total)]


def _zipf(names: Sequence[str], offset: float = 4.0) -> _Table:
    """Names listed from the most to the least common."""
    return _Table((name, 1.0 / (rank + offset)) for rank, name in enumerate(names))


_HISPANIC_SURNAMES = _zipf(_SURNAMES_TEXT.split())
_NAMES = {
    "hispanic": (_HISPANIC_SURNAMES, _zipf(_WOMEN), _zipf(_MEN), _zipf(_GIRLS, 8), _zipf(_BOYS, 8)),
    "mayan": (_zipf(_MAYAN_SURNAMES), _zipf(_WOMEN), _zipf(_MEN), _zipf(_GIRLS, 8), _zipf(_BOYS, 8)),
    "anglo": (_zipf(_ANGLO_SURNAMES), _zipf(_ANGLO_WOMEN), _zipf(_ANGLO_MEN), _zipf(_ANGLO_GIRLS), _zipf(_ANGLO_BOYS)),
    "haitian": (_zipf(_HAITIAN_SURNAMES), _zipf(_HAITIAN_WOMEN), _zipf(_HAITIAN_MEN), _zipf(_HAITIAN_GIRLS),
                _zipf(_HAITIAN_BOYS)),
}
_MIDDLES = {  # (girls', boys')
    "hispanic": (_GIRL_MIDDLES, _BOY_MIDDLES),
    "mayan": (_GIRL_MIDDLES, _BOY_MIDDLES),
    "anglo": (("Marie", "Lynn", "Grace", "Rose", "Jo"), ("James", "Lee", "Michael", "Allen", "Ray", "Dean")),
    "haitian": (("Marie", "Rose", "Esther", "Christine"), ("Jean", "Pierre", "Daniel", "Emmanuel")),
}
_LANGUAGE = {"hispanic": "es", "mayan": "es", "anglo": "en", "haitian": "ht"}
_CULTURES = _Table((("hispanic", 86), ("mayan", 4), ("anglo", 7), ("haitian", 3)))
_FAMILY_SIZES = _Table(((1, 38), (2, 32), (3, 18), (4, 8), (5, 4)))
_SIBLING_GAPS = _Table(((1, 25), (2, 35), (3, 22), (4, 12), (5, 6)))
_YOUTH_AGES = _Table(((16, 5), (17, 12), (18, 25), (19, 24), (20, 20), (21, 14)))
_VERIFICATION = _Table(_VERIFICATIONS)
_WORK_TABLE = _Table((work, work[5]) for work in _WORK)
_ORIGINS = _parse_origins()
_ORIGIN_TABLE = _Table(_ORIGINS)
_MOVES = _Table((("with_worker", 780), ("to_join_worker", 120), ("as_worker", 80), ("spouse", 10),
                 ("to_precede_worker", 10)))
_DEFECTS = _Table((
    ("QAD_AFTER_INTERVIEW", 3), ("WORK_NOT_SOON_AFTER", 3), ("NO_ECONOMIC_NECESSITY", 2), ("BORN_AFTER_MOVE", 2),
    ("QAD_AFTER_RESIDENCY", 3), ("MISSING_FIELD", 4), ("TEMPORARY_BASIS_MISSING", 2), ("NO_RECENT_HISTORY", 1),
    ("WORKER_RELATIONSHIP", 1), ("JOIN_DATES_INCONSISTENT", 1), ("NOT_A_QUALIFYING_MOVE", 1), ("MOVE_TOO_OLD", 1),
    ("AGE_22_OR_OVER", 1), ("HS_COMPLETED", 1), ("INVALID_VALUE", 2), ("NOT_QUALIFYING_WORK", 1),
))
DEFECT_KINDS = tuple(_DEFECTS.items)

# ---------------------------------------------------------------------------------------------------------
# Districts and schools
# ---------------------------------------------------------------------------------------------------------


def make_orgs(seed: int, *, districts: int = 12, regions: int = 3,
              schools_per_district: tuple[int, int] = (1, 4), state: str = "WI") -> list[dict[str, str]]:
    """The rows of an orgs file: one row a district (empty ``school_id``) followed by one row a school.

    Every value is a string, empty for none. District ids are Wisconsin's 4-digit codes, regions its
    CESAs ("CESA 7"; "Region 7" for another state), NCES ids 7 digits (state FIPS code + 5) for a
    district and 12 (district + 5) for a school; ``edfi_id`` is numeric for districts and schools.
    """
    if districts < 1 or regions < 1:
        raise ValueError("make_orgs needs at least one district and one region")
    low, high = schools_per_district
    if not 1 <= low <= high <= 99:
        raise ValueError("schools_per_district is (fewest, most), with 1 <= fewest <= most <= 99")
    random = Random(seed).random
    fips = _FIPS.get(state.upper(), "99")
    if state.upper() == "WI" and regions <= 12:
        numbers = sorted(_distinct(random, 1, 12, regions))
        region_names = [f"CESA {number}" for number in numbers]
    else:
        region_names = [f"{'CESA' if state.upper() == 'WI' else 'Region'} {n}" for n in range(1, regions + 1)]
    region_of = [region_names[i % regions] for i in range(districts)]
    _shuffle(random, region_of)
    ids = _distinct(random, 1, 6999, districts)
    nces = _distinct(random, 100, 16999, districts)
    names = _district_names(random, districts)

    rows: list[dict[str, str]] = []
    for index in sorted(range(districts), key=lambda i: ids[i]):
        district_id = f"{ids[index]:04d}"
        town, district_name = names[index]
        nces_district = f"{fips}{nces[index]:05d}"
        edfi = f"{fips}{district_id}"
        region = region_of[index]
        rows.append(_org_row(district_id, district_name, "", "", nces_district, "", region, "", edfi))
        count = low + int(random() * (high - low + 1))
        school_ids = sorted(_distinct(random, 1, 99, count))
        nces_schools = sorted(_distinct(random, 10, 2999, count))
        for (school_name, grades), school_number, nces_school in zip(
                _school_layout(random, town, count), school_ids, nces_schools, strict=True):
            school_id = f"{school_number * 10:04d}"
            rows.append(_org_row(district_id, district_name, school_id, school_name, nces_district,
                                 f"{nces_district}{nces_school:05d}", region, grades,
                                 f"{edfi}{school_number * 10:03d}"))
    return rows


def _org_row(*values: str) -> dict[str, str]:
    return dict(zip(ORG_COLUMNS, values, strict=True))


def _district_names(random: Any, count: int) -> list[tuple[str, str]]:
    """(town prefix, district name) for ``count`` districts, all names different."""
    towns = [town for town, _, _ in _TOWNS]
    _shuffle(random, towns)
    names: list[tuple[str, str]] = []
    seen: set[str] = set()
    for town in towns[:count]:
        draw = random()
        if draw < 0.80:
            name = f"{town} School District"
        elif draw < 0.92:
            name = f"{town} Area School District"
        else:
            name = f"School District of {town}"
        names.append((town, name))
        seen.add(name)
    while len(names) < count:  # more districts than towns: joint districts, as Wisconsin has many
        first, second = towns[int(random() * len(towns))], towns[int(random() * len(towns))]
        prefix = f"{first}-{second}"
        name = f"{prefix} School District"
        if first != second and name not in seen:
            seen.add(name)
            names.append((prefix, name))
    return names


def _school_layout(random: Any, town: str, count: int) -> list[tuple[str, str]]:
    if count == 1:
        return [(f"{town} School", "PK-12")]
    if count == 2:
        if random() < 0.5:
            return [(f"{town} Elementary", "PK-06"), (f"{town} Junior/Senior High", "07-12")]
        return [(f"{town} Elementary", "PK-08"), (f"{town} High", "09-12")]
    highs = 1 + (count >= 10)
    middles = 1 + (count >= 7)
    elementaries = count - highs - middles
    if elementaries == 1:
        layout = [(f"{town} Elementary", "PK-05")]
    else:
        names = list(_ELEMENTARY_NAMES)
        _shuffle(random, names)
        layout = [(f"{names[i % len(names)]}{'' if i < len(names) else f' {i // len(names) + 1}'} Elementary",
                   "PK-05") for i in range(elementaries)]
    layout += [(f"{town} Middle", "06-08")] if middles == 1 else [(f"{town} North Middle", "06-08"),
                                                                   (f"{town} South Middle", "06-08")]
    layout += [(f"{town} High", "09-12")] if highs == 1 else [(f"{town} East High", "09-12"),
                                                               (f"{town} West High", "09-12")]
    return layout


def district_cities(rows: Iterable[Mapping[str, str]]) -> dict[str, str]:
    """District id -> the town it is named after, from orgs rows (the ``cities`` of ``make_coes``)."""
    cities: dict[str, str] = {}
    for row in rows:
        district_id = (row.get("district_id") or "").strip()
        if district_id and district_id not in cities:
            cities[district_id] = _town_of(row.get("district_name") or "")
    return cities


def _town_of(district_name: str) -> str:
    name = district_name.strip().removeprefix("School District of ")
    name = name.removesuffix(" School District").removesuffix(" Area").removesuffix(" Unified")
    return name.split("-")[0].strip()


# ---------------------------------------------------------------------------------------------------------
# COE documents
# ---------------------------------------------------------------------------------------------------------


def make_coes(seed: int, count: int, *, district_ids: Sequence[str], start: int = 1, year: int = 2025,
              state: str = "WI", statuses: Mapping[str, float] | None = None, defect_rate: float = 0.0,
              today: dt.date | str | None = None, cities: Mapping[str, str] | None = None) -> Iterator[dict]:
    """``count`` COE documents, numbered ``{state}-{year}-{start:06d}`` on.

    ``year`` is the season of the qualifying moves. ``statuses`` weighs each status (default: all
    approved). A share ``defect_rate`` of the documents carry exactly one deliberate defect and are never
    approved (their status comes from the other statuses given, else submitted, returned or rejected);
    every other document is eligible with no error and no warning under ``check_coe`` with
    ``known_districts=set(district_ids)``. With ``today``, no date in a document is after it: a move
    whose paperwork would end later is moved back by whole 52-week steps (same season, same weekday).
    ``cities`` (district id -> town, see ``district_cities``) names the town moved to.
    """
    labelled = make_labelled_coes(seed, count, district_ids=district_ids, start=start, year=year, state=state,
                                  statuses=statuses, defect_rate=defect_rate, today=today, cities=cities)
    return (document for document, _ in labelled)


def make_labelled_coes(seed: int, count: int, *, district_ids: Sequence[str], start: int = 1, year: int = 2025,
                       state: str = "WI", statuses: Mapping[str, float] | None = None, defect_rate: float = 0.0,
                       today: dt.date | str | None = None,
                       cities: Mapping[str, str] | None = None) -> Iterator[tuple[dict, str | None]]:
    """``make_coes``'s documents, each with the error code its defect must raise (None when it has none)."""
    district_ids = [str(district_id) for district_id in district_ids]
    if not district_ids:
        raise ValueError("make_coes needs at least one district id")
    if not 0.0 <= defect_rate <= 1.0:
        raise ValueError("defect_rate is a share, between 0 and 1")
    statuses = dict(statuses) if statuses else {"approved": 1.0}
    unknown = sorted(set(statuses) - set(STATUSES))
    if unknown:
        raise ValueError(f"unknown status {', '.join(unknown)}; the statuses are {', '.join(STATUSES)}")
    status_table = _Table(statuses.items())
    flawed = {status: weight for status, weight in statuses.items() if status not in ("approved", "void")}
    defect_status_table = _Table((flawed if any(flawed.values()) else DEFECT_STATUSES).items())
    if isinstance(today, str):
        today = dt.date.fromisoformat(today)
    generator = _CoeGenerator(Random(seed), district_ids, year, state.upper(), today, cities or {})
    return _labelled(generator, range(start, start + count), defect_rate, status_table, defect_status_table)


def _labelled(generator: _CoeGenerator, numbers: range, defect_rate: float, statuses: _Table,
              defect_statuses: _Table) -> Iterator[tuple[dict, str | None]]:
    random = generator.random
    for number in numbers:
        defect = _DEFECTS.pick(random) if random() < defect_rate else None
        status = (defect_statuses if defect else statuses).pick(random)
        yield generator.document(number, status, defect)


class _Family:
    __slots__ = ("culture", "mother", "father", "guardian", "child_last_1", "child_last_2")


class _CoeGenerator:
    def __init__(self, rng: Random, district_ids: list[str], year: int, state: str, today: dt.date | None,
                 cities: Mapping[str, str]):
        self.random = rng.random
        self.year = year
        self.state = state
        self.today = today.toordinal() if today else None
        self.iso_cache: dict[int, str] = {}
        self.ssid_offset = int(rng.random() * 9_000_000_000)
        random = self.random
        # Migrant families gather where the work is: a few districts get most of them, and each district
        # has its own crops (Door County cherries, cranberry marshes, dairies).
        order = list(district_ids)
        _shuffle(random, order)
        self.districts = _Table((district_id, 1.0 / (rank + 1.5)) for rank, district_id in enumerate(order))
        self.local_work: dict[str, _Table] = {}
        for district_id in district_ids:
            picks = {_WORK_TABLE.pick(random) for _ in range(3)}
            self.local_work[district_id] = _Table((work, work[5]) for work in sorted(picks))
        self.towns: dict[str, tuple[str, str, str]] = {}
        for district_id in district_ids:
            town = cities.get(district_id) or _TOWNS[int(random() * len(_TOWNS))][0]
            zip_code, area = _TOWN_INFO.get(town) or ("5" + f"{int(random() * 5000) + 3000:04d}", "920")
            self.towns[district_id] = (town, zip_code, area)
        self.district_list = district_ids
        self.seasons: dict[tuple[str, int], tuple[int, int]] = {}

    # -- small helpers -------------------------------------------------------------------------------------

    def iso(self, ordinal: int) -> str:
        text = self.iso_cache.get(ordinal)
        if text is None:
            text = self.iso_cache[ordinal] = dt.date.fromordinal(ordinal).isoformat()
        return text

    def below(self, n: int) -> int:
        return int(self.random() * n)

    def between(self, low: int, high: int) -> int:
        return low + int(self.random() * (high - low + 1))

    def one(self, items: Sequence[Any]) -> Any:
        return items[int(self.random() * len(items))]

    def season(self, work: tuple, year: int) -> tuple[int, int]:
        key = (work[0], year)
        window = self.seasons.get(key)
        if window is None:
            (m1, d1), (m2, d2) = work[3], work[4]
            window = self.seasons[key] = (dt.date(year, m1, d1).toordinal(), dt.date(year, m2, d2).toordinal())
        return window

    # -- one document --------------------------------------------------------------------------------------

    def document(self, number: int, status: str, defect: str | None) -> tuple[dict, str | None]:
        random, below, between, iso = self.random, self.below, self.between, self.iso
        district_id = self.districts.pick(random)
        town, zip_code, area = self.towns[district_id]
        work = (self.local_work[district_id] if random() < 0.8 else _WORK_TABLE).pick(random)
        activity, sector, duration, _, _, _, employer_pattern = work
        move = _MOVES.pick(random)
        actively_sought = random() < 0.08
        prong = "actively_sought" if actively_sought else "engaged"

        # The dates, as days after the QAD.
        first, last = self.season(work, self.year)
        qad = first - 10 + below(max(1, last - first - 10))
        work_gap = None if actively_sought else min(45, int(_expo(random, 7.0)))
        child_gap = worker_gap = None
        if move == "to_join_worker":
            worker_gap = -between(3, 45)   # the worker arrived first; the QAD is the child's arrival
            child_gap = 0
        elif move == "to_precede_worker":
            child_gap = -between(3, 30)    # the child arrived first; the QAD is the worker's arrival
            worker_gap = 0
        if work_gap is not None and move == "to_join_worker":
            work_gap += worker_gap  # soon after the worker's own arrival, often before the child joins
        interview_gap = min(120, max(0, work_gap or 0) + int(_expo(random, 14.0)))
        review_gap = interview_gap + 1 + min(30, int(_expo(random, 5.0)))
        latest = review_gap if status in ("approved", "void") else interview_gap
        if self.today is not None and qad + latest > self.today:
            qad -= 364 * -(-(qad + latest - self.today) // 364)
        interview = qad + interview_gap

        culture = _CULTURES.pick(random)
        strip_accents = culture in ("hispanic", "mayan") and random() < 0.25
        family = self.family(culture)
        children, worker, interviewee, relationship = self.people(
            culture, family, move, qad, interview, child_gap, number)
        moved = "with_worker" if move == "spouse" else move

        origin = self.origin(district_id)
        employer = employer_pattern.format(self.one(_FARM_NAMES))
        comments = ""
        temporary_basis = None
        if duration == "temporary":
            temporary_basis, comments = self.temporary_comment(activity, employer, qad)
        if actively_sought:
            comments = (comments + " " if comments else "") + self.sought_comment(worker, activity, town, origin)
        elif not comments and random() < 0.12:
            comments = self.one((
                f"The family returns to {town} every season.",
                f"Hired by {employer} on {iso(qad + (work_gap or 0))}.",
                "Interview held at the family's housing after work hours.",
                "Interviewed with the help of the oldest child, who translated.",
                "The family lives in employer-provided housing.",
            ))

        document = {
            "coe_id": f"{self.state}-{self.year}-{number:06d}",
            "status": status,
            "interview_date": iso(interview),
            "family": {
                "parent1": family.mother if family.guardian is None else family.guardian,
                "parent2": family.father if family.guardian is None else None,
                "address": {"line1": self.street(), "city": town, "state": self.state, "zip": zip_code},
                "phone": f"{area}-555-01{below(100):02d}" if random() < 0.9 else None,
                "home_language": _LANGUAGE[culture],
            },
            "children": children,
            "qualifying_move": {
                "from": origin,
                "to": {"city": town, "state": self.state, "district_id": district_id},
                "moved": moved,
                "worker": worker,
                "child_arrival_date": iso(qad + child_gap) if child_gap is not None else None,
                "worker_arrival_date": iso(qad + worker_gap) if worker_gap is not None else None,
                "qad": iso(qad),
                "economic_necessity": True,
                "prong": prong,
                "work_start_date": iso(qad + work_gap) if work_gap is not None else None,
                "recent_history_of_moves": True if actively_sought else None,
                "work": {"activity": activity, "duration": duration, "sector": sector, "personal_subsistence": False},
                "temporary_basis": temporary_basis,
            },
            "comments": comments,
            "signatures": {
                "interviewee": {"name": interviewee, "relationship": relationship, "date": iso(interview)},
                "interviewer": {"name": self.one(_RECRUITERS), "date": iso(interview)},
            },
        }
        if strip_accents:
            _strip_accents(document)
        if status in ("approved", "void"):
            document["signatures"]["reviewer"] = {"name": self.one(_REVIEWERS), "date": iso(qad + review_gap)}
        if status == "void":
            document["void_reason"] = "FOUND_INELIGIBLE"
        if defect:
            defect = self.inject(document, defect, qad, interview)
        if status == "returned":
            document["return_reasons"] = [self.return_reason(defect)]
        return document, defect

    def family(self, culture: str) -> _Family:
        random = self.random
        surnames, women, men, _, _ = _NAMES[culture]
        compound = culture in ("hispanic", "mayan")
        family = _Family()
        family.culture = culture
        family.guardian = None
        mother_1 = surnames.pick(random)
        if culture == "mayan" and random() < 0.5:
            mother_1 = _HISPANIC_SURNAMES.pick(random)
        father_1 = surnames.pick(random)
        if compound:
            mother = {"first_name": women.pick(random), "last_name_1": mother_1,
                      "last_name_2": _HISPANIC_SURNAMES.pick(random) if random() < 0.7 else None}
            father = {"first_name": men.pick(random), "last_name_1": father_1,
                      "last_name_2": _HISPANIC_SURNAMES.pick(random) if random() < 0.6 else None}
        else:
            mother = {"first_name": women.pick(random), "last_name_1": father_1, "last_name_2": None}
            father = {"first_name": men.pick(random), "last_name_1": father_1, "last_name_2": None}
        draw = random()
        if draw < 0.12:      # a mother alone with her children
            family.father = None
            family.child_last_1, family.child_last_2 = mother["last_name_1"], mother["last_name_2"]
        else:
            family.father = father
            family.child_last_1 = father["last_name_1"]
            family.child_last_2 = mother["last_name_1"] if compound else None
        family.mother = mother
        if compound and family.child_last_2 and random() < 0.08:
            family.child_last_2 = None  # US records often drop the second surname
        if draw > 0.96:      # the children live with a guardian (an aunt, an uncle, a grandmother)
            guardian_women = random() < 0.5
            family.guardian = {"first_name": (women if guardian_women else men).pick(random),
                               "last_name_1": surnames.pick(random),
                               "last_name_2": _HISPANIC_SURNAMES.pick(random) if compound and random() < 0.6 else None}
        return family

    def people(self, culture: str, family: _Family, move: str, qad: int, interview: int, child_gap: int | None,
               number: int) -> tuple[list[dict], dict, str, str]:
        """The children, the worker, the interviewee's name and relationship."""
        random = self.random
        surnames = _NAMES[culture][0]
        anchor = qad + (child_gap or 0)  # the child's own arrival
        if move in ("as_worker", "spouse"):
            age = _YOUTH_AGES.pick(random) if move == "as_worker" else max(17, _YOUTH_AGES.pick(random))
            sex = "M" if random() < (0.8 if move == "as_worker" else 0.15) else "F"
            youth = self.child(culture, family, sex, age, qad, interview, anchor, number, 0, set(), youth=True)
            family.mother = family.father = family.guardian = None
            if move == "as_worker":
                worker = {"first_name": youth["first_name"], "last_name_1": youth["last_name_1"],
                          "relationship": "self"}
            else:
                spouse_men = _NAMES[culture][2 if sex == "F" else 1]
                worker = {"first_name": spouse_men.pick(random), "last_name_1": surnames.pick(random),
                          "relationship": "spouse"}
            return [youth], worker, f"{youth['first_name']} {youth['last_name_1']}", "self"

        size = _FAMILY_SIZES.pick(random)
        gaps = [0 if random() < 0.03 else _SIBLING_GAPS.pick(random) for _ in range(size - 1)]
        oldest_cap = 17 if random() < 0.95 else 20
        room = max(0, oldest_cap - sum(gaps))
        ages = [int(random() * (room + 1))]  # the youngest first
        for gap in gaps:
            ages.append(min(ages[-1] + gap, oldest_cap))
        children: list[dict] = []
        taken: set[str] = set()
        for position in range(size - 1, -1, -1):  # the oldest first, as the form lists them
            sex = "X" if random() < 0.001 else "F" if random() < 0.5 else "M"
            twin = position < size - 1 and gaps[position] == 0
            previous = children[-1] if twin else None
            child = self.child(culture, family, sex, ages[position], qad, interview, anchor, number, len(children),
                               taken, twin_birth=previous["birth_date"] if previous else None)
            if previous:
                child["grade"] = previous["grade"]
                child["multiple_birth"] = previous["multiple_birth"] = True
            children.append(child)

        if family.guardian is not None:
            guardian = family.guardian
            worker = {"first_name": guardian["first_name"], "last_name_1": guardian["last_name_1"],
                      "relationship": "guardian"}
            speaker = guardian
            relationship = "guardian"
        else:
            if family.father is not None and random() < 0.85:
                worker_person = family.father
            else:
                worker_person = family.mother
            worker = {"first_name": worker_person["first_name"], "last_name_1": worker_person["last_name_1"],
                      "relationship": "parent"}
            speaker = family.mother if random() < 0.65 else worker_person
            relationship = "parent"
        return children, worker, f"{speaker['first_name']} {speaker['last_name_1']}", relationship

    def child(self, culture: str, family: _Family, sex: str, age: int, qad: int, interview: int, anchor: int,
              number: int, index: int, taken: set[str], *, youth: bool = False,
              twin_birth: str | None = None) -> dict:
        random = self.random
        _, _, _, girls, boys = _NAMES[culture]
        names = girls if sex == "F" else boys if sex == "M" else (girls if random() < 0.5 else boys)
        first = names.pick(random)
        while first in taken:  # brothers and sisters have different names, twins too
            first = names.pick(random)
        taken.add(first)
        middle = None
        if random() < 0.25 and " " not in first:
            middle = self.one(_MIDDLES[culture][names is boys])
            if middle == first:
                middle = None
        if youth:
            surnames = _NAMES[culture][0]
            last_1 = surnames.pick(random)
            last_2 = _HISPANIC_SURNAMES.pick(random) if culture in ("hispanic", "mayan") else None
        else:
            last_1, last_2 = family.child_last_1, family.child_last_2
        if twin_birth is not None:
            birth = dt.date.fromisoformat(twin_birth).toordinal()
        else:
            birth = qad - int((age + random()) * 365.2425)
        if age >= 20:
            # still under 22 on the interview date, or eligibility would have ended before it
            birthday_22 = _add_years(dt.date.fromordinal(birth), 22).toordinal()
            if birthday_22 <= interview:
                birth += interview - birthday_22 + 1 + self.below(20)
        birth_date = dt.date.fromordinal(birth)
        qad_date = dt.date.fromordinal(qad)
        school_year = qad_date.year if qad_date.month >= 6 else qad_date.year - 1
        age_september = school_year - birth_date.year - (birth_date.month > 9 or (birth_date.month == 9
                                                                                  and birth_date.day > 1))
        grade = _GRADES.get(age_september)
        if grade and age_september >= 7 and random() < 0.07:
            grade = _GRADES[age_september - 1]  # held back a year
        if age_september == 18 and not youth and random() < 0.5:
            grade = "12"
        if youth and grade and random() < 0.7:
            grade = None  # out-of-school youth
        ssid = None
        if grade and random() < 0.6:
            serial = ((self.year * 100_000_000 + number) * 8 + index)
            ssid = str(1_000_000_000 + (serial * _SSID_STEP + self.ssid_offset) % 9_000_000_000)
        residency = anchor + (0 if random() < 0.8 else 1 + self.below(7))
        residency = min(residency, max(anchor, interview))
        suffix = "Jr." if culture == "anglo" and sex == "M" and index == 0 and random() < 0.1 else None
        return {
            "first_name": first, "middle_name": middle, "last_name_1": last_1, "last_name_2": last_2,
            "suffix": suffix, "sex": sex, "birth_date": self.iso(birth), "multiple_birth": False,
            "birth_data_verification": _VERIFICATION.pick(random), "residency_date": self.iso(residency),
            "state_student_id": ssid, "grade": grade, "hs_completion_date": None,
        }

    def origin(self, district_id: str) -> dict:
        random = self.random
        if random() < 0.05 and len(self.district_list) > 1:  # from another district of the state
            other = district_id
            while other == district_id:
                other = self.one(self.district_list)
            return {"city": self.towns[other][0], "state": self.state, "country": "US", "district": None,
                    "district_id": other}
        city, state, country, district = _ORIGIN_TABLE.pick(random)
        while state == self.state:  # a state that runs the system sees families come from the others
            city, state, country, district = _ORIGIN_TABLE.pick(random)
        return {"city": city, "state": state, "country": country, "district": district}

    def street(self) -> str:
        line = f"{self.between(10, 9899)} {self.one(_STREETS)}"
        if self.random() < 0.2:
            line += f" Apt {self.between(1, 24)}"
        return line

    def temporary_comment(self, activity: str, employer: str, qad: int) -> tuple[str, str]:
        months = self.between(2, 9)
        basis = self.one(("worker_statement", "worker_statement", "employer_statement", "sea_determination"))
        if basis == "worker_statement":
            text = f"The worker stated the job ({activity}) will last about {months} months, then they move on."
        elif basis == "employer_statement":
            end = dt.date.fromordinal(qad + 30 * months)
            text = f"{employer} stated in writing that the position is temporary and ends by {end:%B %Y}."
        else:
            text = f"Temporary under the SEA's determination for {activity}: such jobs here last under 12 months."
        return basis, text

    def sought_comment(self, worker: dict, activity: str, town: str, origin: dict) -> str:
        back = dt.date(self.year - 1, self.between(5, 9), 1)
        work, place = self.one((("picking blueberries", "Hart, MI"), ("harvesting onions", "Hereford, TX"),
                                ("picking tomatoes", "Immokalee, FL"), ("harvesting sugar beets", "Crookston, MN"),
                                ("picking apples", "Sparta, MI")))
        return (f"{worker['first_name']} {worker['last_name_1']} has looked for work ({activity}) near {town} since "
                f"arriving and was not hired yet at the interview. Recent history of moves: in {back:%B %Y} "
                f"from {origin['city']}, {origin['state']} to {place} for {work}, and back for the winter.")

    def return_reason(self, defect: str | None) -> str:
        if defect:
            return f"Please correct the COE ({defect.replace('_', ' ').lower()}) and resubmit."
        return self.one(("Please confirm the residency date of each child with the family.",
                         "Please add the worker's full name as the family gave it.",
                         "Please check the spelling of the children's surnames against the birth certificates."))

    # -- defects -------------------------------------------------------------------------------------------

    def inject(self, document: dict, defect: str, qad: int, interview: int) -> str:
        """Give ``document`` one defect; return the error code ``check_coe`` must raise for it."""
        random, iso = self.random, self.iso
        move = document["qualifying_move"]
        children = document["children"]
        child = children[self.below(len(children))]
        signatures = document["signatures"]

        def set_interview(day: int) -> None:
            document["interview_date"] = iso(day)
            signatures["interviewee"]["date"] = signatures["interviewer"]["date"] = iso(day)

        too_old = _add_years(dt.date.fromordinal(qad), 3).toordinal()
        if defect == "MOVE_TOO_OLD" and self.today is not None and too_old + 60 > self.today:
            defect = "QAD_AFTER_INTERVIEW"  # an interview that late would be after today
        if defect == "QAD_AFTER_INTERVIEW":
            set_interview(qad - self.between(1, 30))
        elif defect == "WORK_NOT_SOON_AFTER":
            move["prong"], move["recent_history_of_moves"] = "engaged", None
            moved_on = qad  # the worker's own move: the QAD, or the worker's arrival for a child who joined
            if move["moved"] in ("to_join_worker", "to_precede_worker") and move.get("worker_arrival_date"):
                moved_on = dt.date.fromisoformat(move["worker_arrival_date"]).toordinal()
            start = moved_on + self.between(61, 120)
            if random() < 0.3 or (self.today is not None and start > self.today):
                start = moved_on - self.between(1, 20)  # before the move
            move["work_start_date"] = iso(start)
        elif defect == "NO_ECONOMIC_NECESSITY":
            move["economic_necessity"] = False
            document["comments"] = "The family moved to live near relatives; the worker kept the same job."
        elif defect == "BORN_AFTER_MOVE":
            child["birth_date"] = iso(qad + self.between(1, max(1, interview - qad)))
            child["grade"] = child["state_student_id"] = None
            child["multiple_birth"] = False
        elif defect == "QAD_AFTER_RESIDENCY":
            anchor = move["child_arrival_date"] if move["moved"] == "to_precede_worker" else move["qad"]
            child["residency_date"] = iso(dt.date.fromisoformat(anchor).toordinal() - self.between(1, 20))
        elif defect == "MISSING_FIELD":
            holder, key = self.one((
                (document, "interview_date"), (child, "first_name"), (child, "last_name_1"), (child, "sex"),
                (child, "birth_date"), (child, "residency_date"), (move, "qad"), (move, "moved"), (move, "prong"),
                (move, "economic_necessity"), (move, "worker"), (move, "work"), (move["from"], "state"),
            ))
            if move["prong"] == "engaged" and random() < 0.3:
                holder, key = move, "work_start_date"
            if move["moved"] in ("to_join_worker", "to_precede_worker") and random() < 0.5:
                holder, key = move, "child_arrival_date"
            if random() < 0.5:
                del holder[key]
            else:
                holder[key] = None if key in ("economic_necessity", "worker", "work") else ""
        elif defect == "TEMPORARY_BASIS_MISSING":
            move["work"]["duration"], move["temporary_basis"] = "temporary", None
            if not document["comments"]:
                document["comments"] = "The worker said the job is temporary."
        elif defect == "NO_RECENT_HISTORY":
            move["prong"], move["recent_history_of_moves"], move["work_start_date"] = "actively_sought", False, None
            document["comments"] = "The worker looked for work at farms nearby; this is the family's first such move."
        elif defect == "WORKER_RELATIONSHIP":
            move["worker"]["relationship"] = "parent" if move["moved"] == "as_worker" else "self"
        elif defect == "JOIN_DATES_INCONSISTENT":
            if move["worker"]["relationship"] == "self":
                move["worker"]["relationship"] = "parent"
            move["moved"] = "to_join_worker"
            child_arrival = qad - self.between(5, 20)  # the child came first, and the QAD is neither date
            move["child_arrival_date"] = iso(child_arrival)
            move["worker_arrival_date"] = iso(child_arrival + self.between(1, 4))
        elif defect == "NOT_A_QUALIFYING_MOVE":
            to = move["to"]
            move["from"] = {"city": to["city"], "state": to["state"], "country": "US", "district": None,
                            "district_id": to["district_id"]}
        elif defect == "MOVE_TOO_OLD":
            set_interview(too_old + self.between(1, 60))
        elif defect == "AGE_22_OR_OVER":
            child["birth_date"] = iso(_add_years(dt.date.fromordinal(qad), -22).toordinal() - self.between(1, 900))
            child["grade"] = child["state_student_id"] = None
        elif defect == "HS_COMPLETED":
            child["birth_date"] = iso(qad - int((18 + 2 * random()) * 365.2425))
            child["grade"] = child["state_student_id"] = None
            child["hs_completion_date"] = iso(qad - self.between(20, 400))
        elif defect == "INVALID_VALUE":
            which = self.below(4)
            if which == 0:
                child["sex"] = "Female" if child["sex"] == "F" else "Male"
            elif which == 1:
                birth = dt.date.fromisoformat(child["birth_date"])
                child["birth_date"] = f"{birth:%m/%d/%Y}"
            elif which == 2:
                move["moved"] = "with_parent"
            else:
                move["worker"]["relationship"] = "father"
        elif defect == "NOT_QUALIFYING_WORK":
            activity, sector = self.one((("framing houses", "construction"), ("cleaning hotel rooms", "hospitality"),
                                         ("cooking at a restaurant", "food service")))
            move["work"] = {"activity": activity, "duration": move["work"]["duration"], "sector": sector,
                            "personal_subsistence": False}
        return defect


def _expo(random: Any, mean: float) -> float:
    """An exponential draw from one ``random()`` (``Random.expovariate`` would do the same, slower)."""
    return -mean * log(1.0 - random())


def _add_years(day: dt.date, years: int) -> dt.date:
    """``day`` plus whole years, Feb 29 becoming Feb 28 (as ``relativedelta`` does)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def _strip_accents(document: dict) -> None:
    """Names as a recruiter without a Spanish keyboard writes them: Hernandez, Nunez."""
    family = document["family"]
    for person in (family["parent1"], family["parent2"], document["qualifying_move"]["worker"],
                   *document["children"]):
        if person:
            for key in ("first_name", "middle_name", "last_name_1", "last_name_2"):
                if person.get(key):
                    person[key] = person[key].translate(_NO_ACCENTS)
    interviewee = document["signatures"]["interviewee"]
    interviewee["name"] = interviewee["name"].translate(_NO_ACCENTS)


def _distinct(random: Any, low: int, high: int, count: int) -> list[int]:
    """``count`` different integers of ``low..high``, in the order drawn."""
    span = high - low + 1
    if count > span:
        raise ValueError(f"cannot draw {count} different numbers from {low}..{high}")
    chosen: list[int] = []
    seen: set[int] = set()
    while len(chosen) < count:
        value = low + int(random() * span)
        if value not in seen:
            seen.add(value)
            chosen.append(value)
    return chosen


def _shuffle(random: Any, items: list) -> None:
    for i in range(len(items) - 1, 0, -1):
        j = int(random() * (i + 1))
        items[i], items[j] = items[j], items[i]


# ---------------------------------------------------------------------------------------------------------
# Files
# ---------------------------------------------------------------------------------------------------------


def write_orgs_csv(rows: Iterable[Mapping[str, str]], path: str | Path | IO[str]) -> int:
    """Write orgs rows as the CSV ``mepsis orgs load`` reads (UTF-8, ``\\n`` line ends); returns the row count."""
    with _opened(path) as handle:
        writer = csv.DictWriter(handle, fieldnames=ORG_COLUMNS, lineterminator="\n")
        writer.writeheader()
        count = 0
        for row in rows:
            writer.writerow({column: row.get(column, "") for column in ORG_COLUMNS})
            count += 1
    return count


def write_jsonl(documents: Iterable[Mapping[str, Any]], path: str | Path | IO[str]) -> int:
    """Write one JSON document a line (UTF-8, accents as they are); returns the document count."""
    dumps = json.JSONEncoder(ensure_ascii=False).encode
    count = 0
    with _opened(path) as handle:
        write = handle.write
        for document in documents:
            write(dumps(document))
            write("\n")
            count += 1
    return count


def read_orgs_csv(path: str | Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return [{key: (value or "") for key, value in row.items() if key} for row in csv.DictReader(handle)]


class _opened:
    """A path opened for writing, or a file object given (left open), or "-" for standard output."""

    def __init__(self, target: str | Path | IO[str]):
        self.target = target
        self.handle: IO[str] | None = None

    def __enter__(self) -> IO[str]:
        if hasattr(self.target, "write"):
            return self.target  # type: ignore[return-value]
        if str(self.target) == "-":
            return sys.stdout
        self.handle = open(self.target, "w", encoding="utf-8", newline="")
        return self.handle

    def __exit__(self, *exc: object) -> None:
        if self.handle is not None:
            self.handle.close()


# ---------------------------------------------------------------------------------------------------------
# The sample state that ships with MEPSIS
# ---------------------------------------------------------------------------------------------------------

# Two seasons of moves, so the demo has children whose eligibility is older and newer; the older season's
# paperwork is settled, the newer one still has COEs in every step of review.
_SAMPLE_SEASONS = (
    (2024, 60, {"approved": 92, "rejected": 5, "returned": 3}),
    (2025, 90, {"approved": 70, "submitted": 10, "draft": 7, "returned": 7, "rejected": 6}),
)


def make_sample() -> tuple[list[dict[str, str]], list[dict]]:
    """The sample state: 12 districts in 3 CESAs and 150 COEs, none with a defect, none void."""
    orgs = make_orgs(SAMPLE_SEED, districts=12, regions=3)
    ids = [row["district_id"] for row in orgs if not row["school_id"]]
    cities = district_cities(orgs)
    coes: list[dict] = []
    for year, count, statuses in _SAMPLE_SEASONS:
        coes.extend(make_coes(SAMPLE_SEED + year, count, district_ids=ids, year=year, statuses=statuses,
                              cities=cities))
    return orgs, coes


def write_sample(directory: str | Path = SAMPLE_DIR) -> None:
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    orgs, coes = make_sample()
    write_orgs_csv(orgs, directory / "orgs.csv")
    write_jsonl(coes, directory / "coes.jsonl")


# ---------------------------------------------------------------------------------------------------------
# Command line
# ---------------------------------------------------------------------------------------------------------


def _statuses(text: str) -> dict[str, float]:
    weights: dict[str, float] = {}
    for part in text.split(","):
        status, _, weight = part.strip().partition("=")
        if status not in STATUSES:
            raise argparse.ArgumentTypeError(f"unknown status {status!r}; the statuses are {', '.join(STATUSES)}")
        try:
            weights[status] = float(weight) if weight else 1.0
        except ValueError:
            raise argparse.ArgumentTypeError(f"the weight of {status} must be a number, not {weight!r}") from None
        if weights[status] < 0:
            raise argparse.ArgumentTypeError(f"the weight of {status} must not be negative")
    if not any(weights.values()):
        raise argparse.ArgumentTypeError("at least one status needs a positive weight")
    return weights


def _rate(text: str) -> float:
    try:
        rate = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not 0.0 <= rate <= 1.0:
        raise argparse.ArgumentTypeError("the defect rate is a share between 0 and 1")
    return rate


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m mepsis.synth",
                                     description="Write synthetic districts, schools and COE documents.")
    commands = parser.add_subparsers(dest="command", required=True)
    orgs = commands.add_parser("orgs", help="districts and schools, as the CSV `mepsis orgs load` reads")
    orgs.add_argument("--seed", type=int, required=True)
    orgs.add_argument("--districts", type=int, default=12)
    orgs.add_argument("--regions", type=int, default=3)
    orgs.add_argument("--schools", type=int, nargs=2, default=(1, 4), metavar=("FEWEST", "MOST"),
                      help="schools per district (default 1 4)")
    orgs.add_argument("--state", default="WI")
    orgs.add_argument("--out", required=True, help="the CSV file to write (- for standard output)")
    coes = commands.add_parser("coes", help="COE documents, one JSON document a line")
    coes.add_argument("--seed", type=int, required=True)
    coes.add_argument("--count", type=int, required=True)
    coes.add_argument("--orgs", required=True, help="the orgs CSV whose districts the families move to")
    coes.add_argument("--out", required=True, help="the JSON-lines file to write (- for standard output)")
    coes.add_argument("--defect-rate", type=_rate, default=0.0, help="share of documents with one defect (0-1)")
    coes.add_argument("--statuses", type=_statuses, default=None, help="weights, e.g. approved=8,submitted=1")
    coes.add_argument("--start", type=int, default=1, help="number of the first COE id")
    coes.add_argument("--year", type=int, default=2025, help="season of the qualifying moves")
    coes.add_argument("--state", default="WI")
    coes.add_argument("--today", type=dt.date.fromisoformat, default=None, help="no date after this day")
    sample = commands.add_parser("sample", help="regenerate the sample state that ships with MEPSIS")
    sample.add_argument("--dir", default=str(SAMPLE_DIR), help=f"where to write orgs.csv and coes.jsonl "
                                                               f"(default {SAMPLE_DIR})")
    args = parser.parse_args(argv)
    try:
        if args.command == "orgs":
            rows = make_orgs(args.seed, districts=args.districts, regions=args.regions,
                             schools_per_district=tuple(args.schools), state=args.state)
            write_orgs_csv(rows, args.out)
        elif args.command == "coes":
            if args.count < 0:
                parser.error("--count must not be negative")
            rows = read_orgs_csv(args.orgs)
            cities = district_cities(rows)
            if not cities:
                print(f"{args.orgs}: no district in the file", file=sys.stderr)
                return 2
            write_jsonl(make_coes(args.seed, args.count, district_ids=list(cities), start=args.start,
                                  year=args.year, state=args.state, statuses=args.statuses,
                                  defect_rate=args.defect_rate, today=args.today, cities=cities), args.out)
        else:
            write_sample(args.dir)
    except (OSError, ValueError, csv.Error) as error:
        print(f"python -m mepsis.synth {args.command}: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
