"""Synthetic data for MEPSIS: districts and schools, COE documents and enrollment feeds, realistic and repeatable.

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
- ``make_feed`` gives a nightly enrollment feed (interfaces.md, "Enrollment feed") as districts' SIS send
  it: the COE children who enrolled, written as school clerks write them (the variation exact and
  probabilistic matching meet, at the rates given with it), among other students up to the rows asked,
  each row with the truth of which COE child it is, if any. ``change_feed`` gives the same feed a night
  later, a share of its rows changed.
- ``python -m mepsis.synth orgs|coes|feed|change-feed|sample`` writes them; ``sample`` regenerates the small
  sample state that ships in ``mepsis/sample/``.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import sys
import unicodedata
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Mapping, Sequence
from math import cos, exp, gcd, log, pi
from operator import itemgetter
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
# Enrollment feeds
# ---------------------------------------------------------------------------------------------------------

FEED_COLUMNS = ("district_id", "school_id", "school_year", "local_student_id", "state_student_id", "first_name",
                "last_name", "middle_name", "last_name_2", "sex", "birth_date", "grade", "entry_date", "exit_date",
                "exit_reason", "guardian1_name", "guardian2_name", "birth_country", "birth_state", "birth_city",
                "english_learner", "iep", "free_reduced_lunch")
EXIT_REASONS = ("MOVED_OUT_OF_STATE", "TRANSFER_IN_STATE", "GRADUATED", "DROPPED_OUT", "HSE", "OTHER")
# The share of migrant rows whose first name, last name(s), birth date and sex equal the COE child's after
# normalising (case, accents, spaces, hyphens, surnames split or not): the rates below give about 0.867.
FEED_EXACT_SHARE = (0.84, 0.90)

# How the feed is made, at these rates (and why):
#
# Who enrolls. A family whose move is this season's and whose work outlasts the summer is in the schools 90%
# of the time; one that came only for a summer harvest (cherries, strawberries: the season ends before the
# first school day) mostly went home before school started (25% stayed on, as Wisconsin's MEP sees: most
# of its children come for the summer and fall harvests); a family whose move was last season or earlier is
# still in the state 50% (35% when it is over a year old). Children on a COE that is not approved enroll at
# half those rates: a minority of the migrant rows (8% with the bench's statuses), but in every status, so
# that a matcher must not link them. 4K is optional in Wisconsin (60% of four-year-olds); 15% of youths of
# 16-17 work instead; an out-of-school youth (18-21, no grade on the COE) re-enrolls 8%; 4% of the others
# are home-schooled or in a private school. A child with a high school diploma or HSE is never enrolled.
#
# Where and when. 88% enroll in the COE's district, 12% in a neighbouring district of the same region
# (housing in one district, work in another). Wisconsin schools may not start before September 1: 75% of
# districts start the day after Labor Day, the others (with a waiver) in the last ten days of August. A
# child who is there before the first day enrolls on it (85%) or a few days later; one who arrives during
# the year enrolls within about a week. 55% of the families whose season ends in the fall leave for home
# (MOVED_OUT_OF_STATE) within 25 days of its end, 12% of the others at some time in the year; 10% move within
# the state (TRANSFER_IN_STATE, then a second enrollment a few school days later, in a neighbouring district
# or another school of the same one). A child's own exits: DROPPED_OUT 6% a year from 16 (migrant dropout
# rates are about twice the state's), HSE 1.5% from 17, GRADUATED mid-year 4% of twelfth-graders, OTHER 1%.
#
# Names as a school clerk types them (each district's SIS record separately). Exact after normalising:
# accents dropped 55% (few SIS keyboards have them), upper case 8%; two surnames split across last_name and
# last_name_2 45%, together in last_name with a space 35% or a hyphen 20%; the middle name kept 70%, its
# initial 15%, none 15% (the middle name is not part of the exact identity). Real variation, for the
# probabilistic matcher: only the first surname 7% of those with two (a one-surname form; four children in
# five have two), surnames swapped 1.5%, only the second (the mother's) 1%, a compound first name cut to its first word 25% ("Juan Pablo" as
# "Juan", "Pablo" as middle name), a nickname 5% of those who have a common one (two in five do: Pepe, Paco,
# Lupe, Chuy, Beto; the SIS mostly holds the legal name), the middle name as first name 5% of those who have
# one, a typo 1.5% (first name 0.9%, surname 0.6%), birth day and month swapped 0.7% (when the day is 12 or
# less, else one digit off), a birth date one digit off 0.8%. A twin never gets the other twin's first name.
# Together about 13% of migrant rows are not exact (FEED_EXACT_SHARE): 8% the surnames, 5% the first name,
# 1.5% the birth date.
#
# Identity. A child with a state student id on the COE has the same one on every SIS row (that is what the
# exact pass links); one without carries an id of its own 92% of the time (the others are new arrivals
# whose id is pending); other students 99%. Ids are 10 digits, one per student across the feed; a
# district's local ids are 7 digits, one per student in that district, the same on all its rows.
#
# The rest of the SIS record. Guardians are the COE's parents ("Rosa Hernández Ruiz"), the father first 30%,
# one guardian only 25%, one surname only 25%. Birth place: children of families from Mexico were born
# there 65% when 10 or older, 35% younger; of families from Texas, Florida or California, 55% in the home
# state, 25% in Wisconsin (born during a season), 15% or 5% in Mexico; Mayan children in Guatemala 55%,
# Haitian in Haiti 40%; the SIS has no birth place for 20% and no city for a further 20%. English learners:
# 45% of migrant children under 11 and 35% older (75% Mayan), ED counts about 36% nationally; IEP 9% (others
# 14% as in Wisconsin); free or reduced lunch Y for 95% of migrant children (categorically eligible: the
# 5% N are what the district must fix), 30% of white and 70-80% of other students.
#
# Other students fill the feed up to ``rows``, in every district in proportion to its schools and a
# log-normal size: Wisconsin's mix (DPI): about 66% white (German, Polish, Scandinavian, Dutch, Irish
# names), 14% Hispanic (the migrant families' own name tables, so look-alikes abound), 9% Black, 4% Hmong,
# 1% Native, varying by district; brothers and sisters (2% twins) with the same guardians; 0.4% of students
# in a district that COE families live in have a COE child's names and sex with another birth date
# (cousins named alike). 6% enter after the first day; TRANSFER_IN_STATE 3% (a second row, two times in
# three, when another school of the district teaches the grade), MOVED_OUT_OF_STATE 1.5%, DROPPED_OUT 2%
# from 16, GRADUATED mid-year 2% of twelfth-graders, HSE 0.3% from 17, OTHER 0.5%.

_LADDER = ("PK", "KG", "01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11", "12")
_RUNG = {grade: rung for rung, grade in enumerate(_LADDER)}  # rung + 4 is the age on September 1, on time
_UNGRADED = len(_LADDER)  # UG: in a high school
_LOCAL_SPAN = 9_000_000
_OWN_SSID_STEP = 3_141_592_653  # coprime with 8 * 10**9: ids of the feed's own, all different
_FILL_SSID_STEP = 271_828_183   # coprime with 10**9: ids change_feed fills in, 9xxxxxxxxx, all different

_SEASON_END = {work[0]: work[4] for work in _WORK if work[2] == "seasonal"}
_DEACCENT = str.maketrans("áéíóúàèìòùâêîôûäëïöüñçÁÉÍÓÚÀÈÌÒÙÂÊÎÔÛÄËÏÖÜÑÇ",
                          "aeiouaeiouaeiouaeiouncAEIOUAEIOUAEIOUAEIOUNC")
_NICKNAMES = {
    "José": ("Pepe", "Joe"), "Francisco": ("Paco", "Pancho", "Frank"), "Guadalupe": ("Lupe", "Lupita"),
    "Jesús": ("Chuy", "Jesse"), "Roberto": ("Beto",), "Alberto": ("Beto",), "Eduardo": ("Lalo",),
    "Alejandro": ("Alex",), "Alexander": ("Alex",), "Alejandra": ("Ale",), "Santiago": ("Santi",),
    "Sebastián": ("Sebas",), "Daniel": ("Dani", "Danny"), "Daniela": ("Dani",), "Fernanda": ("Fer",),
    "Fernando": ("Nando",), "Leonardo": ("Leo",), "Isabella": ("Isa", "Bella"), "Valeria": ("Vale",),
    "Natalia": ("Naty",), "Mariana": ("Mari",), "Jonathan": ("Johnny",), "Christopher": ("Chris",),
    "Cristian": ("Chris",), "Kimberly": ("Kim",), "Enrique": ("Kike",), "Ignacio": ("Nacho",),
    "Ricardo": ("Ricky",), "Antonio": ("Toño", "Tony"), "Anthony": ("Tony",), "Manuel": ("Manny",),
    "Emiliano": ("Emi",), "Abigail": ("Abby",), "Victoria": ("Vicky",), "Gabriela": ("Gaby",),
    "Jennifer": ("Jenny",), "Érick": ("Eric",), "Miguel": ("Mike",), "Samuel": ("Sam",), "Jimena": ("Jime",),
    "María José": ("Majo",), "Juan Pablo": ("JP",),
}
_QWERTY = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
_NEAR_KEYS = {row[i]: row[max(0, i - 1):i] + row[i + 1:i + 2] for row in _QWERTY for i in range(len(row))}

_WI_SURNAMES = """
Schmidt Johnson Miller Mueller Olson Anderson Nelson Peterson Larson Schultz Krueger Meyer Hansen Weber Jensen
Smith Wagner Becker Koch Schneider Fischer Brown Nowak Kowalski Wisniewski Hoffmann Klein Wolf Schroeder
Zimmerman Krause Lange Thompson Erickson Christensen Carlson Halvorson Gunderson Amundson Swenson Iverson
Knutson Rasmussen Sorensen Solberg Lund Berg Strand Murphy Kelly Ryan O'Brien Sullivan Walsh Kennedy McCarthy
Vanden_Heuvel Van_Dyke De_Groot Jansen Vander_Zanden Verhagen Vande_Hei DeBruin Verbeten Kaminski Lewandowski
Zielinski Szymanski Wozniak Dabrowski Kozlowski Jankowski Mazur Krawczyk Piotrowski Grabowski Pawlak
Michalski Zajac Sobczak Borkowski Wojcik Radtke Nehls Stoltz Tesch Gruber Buchholz Reinke Wendt Kuehl Lemke
Kohler Baumann Dietrich Engel Ziegler Kuhn Haas Schreiber Vogel Keller Richter Hartmann Neumann Schwartz
Brandt Voss Arndt Sauer Graf Dorn Stark Rausch Davis Wilson Taylor Moore Martin White Clark Lewis Walker Hall
Young King Wright Baker Hughes Price Bennett Wood Mitchell Carter Hill Scott Green Adams Campbell Parker
Evans Edwards Collins Stewart Morris Rogers Reed Cook Morgan Bell Cooper Richardson Cox Howard Ward Brooks
Gray James Watson Kelley Sanders Barnes Ross Henderson Coleman Jenkins Perry Powell Long Patterson Russell
Fisher Ellis Hayes Myers Ford Graham Wallace Hamilton Marshall Owens Fox Webb Olsen Lindquist Skaar Moe
Dahl Haugen Ness Thorson Bakken Ruud Tollefson Sather Pfeiffer Kluck Hintz Ott Fritsch Kiefer Vandenberg
"""
_WI_GIRLS = ("Emma", "Olivia", "Ava", "Sophia", "Isabella", "Mia", "Abigail", "Emily", "Madison", "Harper",
             "Evelyn", "Avery", "Ella", "Elizabeth", "Addison", "Chloe", "Lily", "Grace", "Hannah", "Natalie",
             "Aubrey", "Brooklyn", "Zoey", "Lillian", "Samantha", "Nora", "Layla", "Allison", "Ellie", "Claire",
             "Paisley", "Kaylee", "Hailey", "Alexis", "Sarah", "Leah", "Ashley", "Taylor", "Morgan", "Kayla",
             "Alyssa", "Lauren", "Brianna", "Jessica", "Megan", "Rachel", "Jenna", "Anna", "Amelia", "Charlotte",
             "Scarlett", "Aria", "Riley", "Stella", "Violet", "Hazel", "Aurora", "Lucy", "Peyton", "Mackenzie",
             "Sydney", "Jordyn", "Kennedy", "Reagan", "Makayla", "Savannah", "Gabrielle", "Katelyn", "Molly",
             "Paige", "Kylie", "Brooke", "Audrey", "Addyson", "Ruby", "Elena", "Maya", "Julia", "Clara", "Eva")
_WI_BOYS = ("Liam", "Noah", "Mason", "Logan", "Ethan", "Jacob", "William", "James", "Benjamin", "Lucas", "Henry",
            "Alexander", "Jackson", "Aiden", "Elijah", "Owen", "Wyatt", "Carter", "Jack", "Luke", "Gavin",
            "Hunter", "Caleb", "Connor", "Isaac", "Landon", "Brayden", "Tyler", "Dylan", "Nathan", "Ryan",
            "Austin", "Cole", "Evan", "Blake", "Chase", "Jaxon", "Easton", "Hudson", "Levi", "Lincoln", "Grayson",
            "Colton", "Carson", "Bentley", "Brody", "Cooper", "Parker", "Jordan", "Dominic", "Andrew", "Joseph",
            "Samuel", "Daniel", "Matthew", "Michael", "Christian", "Thomas", "Zachary", "Anthony", "Gabriel",
            "Max", "Tristan", "Trevor", "Cody", "Brady", "Camden", "Drew", "Garrett", "Gunnar", "Nolan", "Reid",
            "Sawyer", "Tanner", "Weston", "Bennett", "Jonah", "Kaden", "Brock", "Eli")
_WI_WOMEN = ("Jennifer", "Amanda", "Jessica", "Sarah", "Ashley", "Melissa", "Nicole", "Stephanie", "Heather",
             "Elizabeth", "Megan", "Amber", "Rachel", "Laura", "Kelly", "Lisa", "Emily", "Crystal", "Angela",
             "Danielle", "Rebecca", "Katie", "Kristin", "Andrea", "Erin", "Lindsay", "Samantha", "Tiffany",
             "Michelle", "Kimberly", "Brittany", "Christina", "Allison", "Natalie", "Jamie", "Tara", "Carrie")
_WI_MEN = ("Michael", "Christopher", "Matthew", "Joshua", "David", "James", "Daniel", "Robert", "John", "Joseph",
           "Jason", "Justin", "Andrew", "Ryan", "William", "Brian", "Jonathan", "Brandon", "Nicholas", "Anthony",
           "Eric", "Adam", "Kevin", "Steven", "Thomas", "Timothy", "Kyle", "Aaron", "Jeremy", "Benjamin",
           "Travis", "Nathan", "Jacob", "Dustin", "Cody", "Chad", "Derek", "Jesse", "Luke", "Shane")
_BLACK_SURNAMES = ("Williams", "Johnson", "Jackson", "Brown", "Jones", "Davis", "Smith", "Harris", "Robinson",
                   "Thomas", "Taylor", "Moore", "Wilson", "Lewis", "Walker", "Scott", "Green", "Hill", "Turner",
                   "Coleman", "Washington", "Jefferson", "Bell", "Mitchell", "Carter", "Patterson", "Hayes",
                   "Griffin", "Reed", "Banks", "Holmes", "Gaines", "Mays", "Pruitt", "Dixon", "Glover", "Woods",
                   "Hunter", "Sims", "Fields", "Bradley", "Spencer", "Tucker", "Grant", "Wallace", "Freeman")
_BLACK_GIRLS = ("Aaliyah", "Imani", "Nevaeh", "Jasmine", "Destiny", "Diamond", "Kennedi", "Jada", "Amari", "Zoe",
                "Makayla", "Ariana", "Aniyah", "Kiara", "Brianna", "Taliyah", "Jordyn", "Nia", "Trinity",
                "Serenity", "Londyn", "Skylar", "Harmony", "Janiyah", "Khloe", "Madison", "Ava", "Morgan")
_BLACK_BOYS = ("Jayden", "Jaylen", "DeAndre", "Malik", "Jamal", "Isaiah", "Josiah", "Elijah", "Xavier", "Darius",
               "Marcus", "Tyrese", "Jalen", "Cameron", "Jordan", "Amir", "Kingston", "Zion", "Micah", "Terrell",
               "Kayden", "Jeremiah", "Dominic", "Christian", "Ja'Marion", "Keon", "Devin", "Omari", "Caleb")
_BLACK_WOMEN = ("Tamika", "LaToya", "Keisha", "Ebony", "Shanice", "Aisha", "Monique", "Tiara", "Jasmine",
                "Crystal", "Latasha", "Shameka", "Tanisha", "Erica", "Danielle", "Angela")
_BLACK_MEN = ("Marcus", "DeShawn", "Terrell", "Andre", "Jermaine", "Darnell", "Antoine", "Tyrone", "Maurice",
              "Lamar", "Reginald", "Cedric", "Dwayne", "Corey", "Brandon", "Anthony")
_HMONG_SURNAMES = ("Yang", "Vang", "Xiong", "Thao", "Lee", "Her", "Moua", "Lor", "Vue", "Hang", "Khang", "Cha",
                   "Chang", "Kue", "Lo", "Thor", "Pha", "Chue")
_HMONG_GIRLS = ("Mai", "Pa Nhia", "Nou", "Yer", "Kia", "Bao", "Maiv", "Ia", "Sheng", "Dia", "Kalia", "Pachia",
                "Maichee", "Linda", "Jennifer", "Melody", "Emily", "Kayla", "Ashley", "Destiny")
_HMONG_BOYS = ("Tou", "Kou", "Pao", "Fong", "Chong", "Neng", "Xeng", "Teng", "Meng", "Tong", "Ger", "Cher",
               "Kevin", "Jonathan", "Bryan", "Justin", "Tommy", "Andrew", "Ethan", "Noah")
_HMONG_WOMEN = ("Mai", "Pa", "Yer", "Nou", "Bao", "Chia", "Kia", "Sheng", "Youa", "Der", "Zoua", "Mee")
_HMONG_MEN = ("Tou", "Kou", "Chue", "Pao", "Neng", "Teng", "Xai", "Yia", "Fue", "Nhia", "Cha", "Vue")
_NATIVE_SURNAMES = ("Cornelius", "Skenandore", "Danforth", "Webster", "Doxtator", "Metoxen", "Funmaker",
                    "Decorah", "Whitewing", "Waukau", "Wapoose", "Powless", "Thundercloud", "Greendeer", "Cloud",
                    "Lonetree", "Pecore", "Smith", "King", "Hill", "Stevens", "Ninham", "Oshkosh", "Grignon")

_WI_BIRTH_CITIES = _Table((("Milwaukee", 30), ("Madison", 18), ("Green Bay", 10), ("Appleton", 6), ("Kenosha", 5),
                           ("Racine", 5), ("Waukesha", 5), ("Eau Claire", 5), ("La Crosse", 5), ("Oshkosh", 4),
                           ("Wausau", 4), ("Sheboygan", 3), ("Janesville", 3), ("Marshfield", 3),
                           ("Fond du Lac", 2), ("Manitowoc", 2), ("Stevens Point", 2), ("Beaver Dam", 1),
                           ("Sturgeon Bay", 1), ("Neenah", 2), ("West Allis", 2), ("Rhinelander", 1)))
_US_BIRTH_CITIES = {
    "TX": ("Weslaco", "Edinburg", "McAllen", "Harlingen", "Brownsville", "Eagle Pass", "Laredo", "San Antonio",
           "Mission", "Pharr"),
    "FL": ("Immokalee", "Naples", "Belle Glade", "Homestead", "Tampa", "Plant City", "Fort Pierce"),
    "CA": ("Salinas", "Delano", "Oxnard", "Watsonville", "Coachella", "Fresno", "Bakersfield"),
    "IL": ("Chicago", "Rockford", "Aurora", "Waukegan"), "MN": ("Minneapolis", "Saint Paul", "Willmar", "Rochester"),
    "MI": ("Grand Rapids", "Holland", "Detroit", "Hart"), "IA": ("Des Moines", "Dubuque", "Davenport"),
    "AZ": ("Yuma", "Phoenix", "Tucson"), "WA": ("Yakima", "Pasco", "Wenatchee"), "GA": ("Moultrie", "Atlanta"),
    "NY": ("New York", "Rochester"), "OH": ("Toledo", "Columbus"),
}
_MX_BIRTH_CITIES: dict[str, list[str]] = {}
for (_city, _state, _country, _), _weight in _ORIGINS:
    if _country == "MX":
        _MX_BIRTH_CITIES.setdefault(_state, []).append(_city)
_MX_BIRTH_STATES = _Table((state, len(cities) + 1) for state, cities in sorted(_MX_BIRTH_CITIES.items()))
del _city, _state, _country, _weight
_GT_CITIES = ("Huehuetenango", "Quetzaltenango", "Totonicapán", "San Marcos", "Santa Cruz del Quiché")
_HT_CITIES = ("Port-au-Prince", "Cap-Haïtien", "Les Cayes", "Gonaïves", "Jacmel")
_MIGRANT_US_BIRTH = _Table((("TX", 50), ("FL", 12), ("CA", 8), ("MI", 3), ("MN", 2), ("IL", 3), ("AZ", 2),
                            ("WA", 2), ("GA", 1)))
_OTHERS_US_BIRTH = _Table((("MN", 4), ("IL", 5), ("MI", 2), ("IA", 2), ("TX", 1), ("CA", 1), ("OH", 1), ("NY", 1)))

# Other students: (surnames, women, men, girls, boys, (girls' middles, boys' middles), compound surnames,
# English learner rate, free or reduced lunch rate).
_OTHER_NAMES = {
    "wisconsin": (_zipf([name.replace("_", " ") for name in _WI_SURNAMES.split()], 10),
                  _zipf(_WI_WOMEN, 10), _zipf(_WI_MEN, 10), _zipf(_WI_GIRLS, 12), _zipf(_WI_BOYS, 12),
                  (("Marie", "Lynn", "Grace", "Rose", "Elizabeth", "Ann", "Jo", "Mae", "Kay"),
                   ("James", "Lee", "Michael", "Allen", "Ray", "Dean", "John", "Robert", "Thomas")),
                  False, 0.005, 0.30),
    "hispanic": (_HISPANIC_SURNAMES, _zipf(_WOMEN), _zipf(_MEN), _zipf(_GIRLS, 8), _zipf(_BOYS, 8),
                 (_GIRL_MIDDLES, _BOY_MIDDLES), True, 0.35, 0.70),
    "black": (_zipf(_BLACK_SURNAMES, 6), _zipf(_BLACK_WOMEN, 6), _zipf(_BLACK_MEN, 6), _zipf(_BLACK_GIRLS, 8),
              _zipf(_BLACK_BOYS, 8), (("Marie", "Nicole", "Monique", "Renee"), ("James", "Lee", "Marcus", "Anthony")),
              False, 0.01, 0.80),
    "hmong": (_zipf(_HMONG_SURNAMES, 2), _zipf(_HMONG_WOMEN, 4), _zipf(_HMONG_MEN, 4), _zipf(_HMONG_GIRLS, 6),
              _zipf(_HMONG_BOYS, 6), ((), ()), False, 0.20, 0.65),
    "native": (_zipf(_NATIVE_SURNAMES, 6), _zipf(_WI_WOMEN, 10), _zipf(_WI_MEN, 10), _zipf(_WI_GIRLS, 12),
               _zipf(_BLACK_BOYS + _WI_BOYS[:20], 12), (("Marie", "Rose"), ("James", "Lee")), False, 0.01, 0.70),
    "mayan": (*_NAMES["mayan"], (_GIRL_MIDDLES, _BOY_MIDDLES), True, 0.60, 0.85),
    "haitian": (*_NAMES["haitian"], _MIDDLES["haitian"], False, 0.30, 0.80),
}
_OTHER_FAMILY_SIZES = _Table(((1, 50), (2, 30), (3, 14), (4, 6)))
_OTHER_ELDEST = _Table((rung, 0.6 if rung == 0 else 0.95 if rung == 13 else 1.0) for rung in range(14))
_FEED_EXITS = _Table((("TRANSFER_IN_STATE", 40), ("MOVED_OUT_OF_STATE", 25), ("OTHER", 12), ("DROPPED_OUT", 12),
                      ("GRADUATED", 6), ("HSE", 5)))


def make_feed(seed: int, *, coes: Iterable[Mapping[str, Any]], orgs: Iterable[Mapping[str, str]], rows: int,
              school_year: str = "2025-26", migrant_share: float | None = None,
              as_of: dt.date | str | None = None) -> Iterator[tuple[dict[str, str], dict | None]]:
    """An enrollment feed of ``rows`` rows (interfaces.md, "Enrollment feed"), each with its truth.

    Each row is a dict of exactly ``FEED_COLUMNS``, every value a string ("" for none). The truth of the
    row of a child listed on one of ``coes`` is ``{"coe_id": ..., "child_index": ...}`` (the document's
    status says whether a matcher may link it: only approved ones certify), of any other student None.
    ``coes`` are documents as ``make_coes`` gives them, of any status (read, never changed); ``orgs`` the
    rows of ``make_orgs`` (only their schools take enrollments). Every COE child who enrolls is in the
    feed, unless their rows would be more than ``rows`` (or ``migrant_share`` of it): then a random choice
    of whole children, as many as fit; other students fill the rest. ``as_of`` is the night the feed is pulled
    (default March 1 of the school year): no date is after it. The rows come district by district, a
    student's rows in a district next to each other. The rates are in the comment above.

    A generator: memory holds the COE children's rows and ids, not the feed.
    """
    if isinstance(rows, bool) or not isinstance(rows, int) or rows < 0:
        raise ValueError("rows is a number of rows, 0 or more")
    if migrant_share is not None and not 0.0 <= migrant_share <= 1.0:
        raise ValueError("migrant_share is a share, between 0 and 1")
    start = _school_year_start(school_year)
    if as_of is None:
        as_of = dt.date(start + 1, 3, 1)
    elif isinstance(as_of, str):
        as_of = dt.date.fromisoformat(as_of)
    if not dt.date(start, 8, 1) <= as_of <= dt.date(start + 1, 7, 31):
        raise ValueError(f"as_of {as_of} is not in the school year {school_year}")
    generator = _FeedGenerator(Random(seed), orgs, school_year, start, as_of.toordinal())
    return generator.feed(coes, rows, migrant_share)


def _school_year_start(school_year: str) -> int:
    text = str(school_year)
    if len(text) == 7 and text[4] == "-" and text[:4].isdigit() and text[5:] == f"{(int(text[:4]) + 1) % 100:02d}":
        return int(text[:4])
    raise ValueError(f"school_year {school_year!r} is not like 2025-26")


def _ordinal(value: Any) -> int | None:
    if isinstance(value, str) and len(value) == 10:
        try:
            return dt.date.fromisoformat(value).toordinal()
        except ValueError:
            return None
    return None


def _school_day(ordinal: int) -> int:
    """The day itself, or the Monday after when it is a Saturday or Sunday."""
    weekday = (ordinal - 1) % 7  # ordinal 1 is a Monday
    return ordinal + (7 - weekday if weekday >= 5 else 0)


def _grade_span(text: str | None) -> tuple[int, int]:
    low, _, high = (text or "").partition("-")
    return _RUNG.get(low.strip(), 0), _RUNG.get(high.strip() or low.strip(), len(_LADDER) - 1)


_PLAIN: dict[str, str] = {}


def _plain(name: str) -> str:
    """A name as exact matching compares it: no accents, case, spaces, hyphens or apostrophes."""
    plain = _PLAIN.get(name)
    if plain is None:
        decomposed = unicodedata.normalize("NFKD", name)
        plain = "".join(c for c in decomposed if c.isalnum() and not unicodedata.combining(c)).casefold()
        if len(_PLAIN) < 100_000:
            _PLAIN[name] = plain
    return plain


def _typo(random: Any, name: str) -> str:
    """``name`` with one slip of the keyboard: a neighbouring key, a letter dropped, doubled or swapped."""
    for _ in range(6):
        i = int(random() * len(name))
        if not name[i].isalpha():
            continue
        kind = int(random() * 4)
        if kind == 0:
            near = _NEAR_KEYS.get(name[i].lower().translate(_DEACCENT))
            if not near:
                continue
            letter = near[int(random() * len(near))]
            new = name[:i] + (letter.upper() if name[i].isupper() else letter) + name[i + 1:]
        elif kind == 1 and len(name) > 3 and i > 0:
            new = name[:i] + name[i + 1:]
        elif kind == 2:
            new = name[:i + 1] + name[i] + name[i + 1:]
        elif i + 1 < len(name) and name[i + 1].isalpha() and i > 0:
            new = name[:i] + name[i + 1] + name[i] + name[i + 2:]
        else:
            continue
        if _plain(new) != _plain(name):
            return new
    return name


def _digit_off(random: Any, ordinal: int) -> int:
    """A birth date with one digit typed wrong: a day, a month or a year's last digit one off."""
    day = dt.date.fromordinal(ordinal)
    for _ in range(6):
        draw, step = random(), 1 if random() < 0.5 else -1
        try:
            if draw < 0.6:
                other = day.replace(day=day.day + step)
            elif draw < 0.75:
                other = day.replace(day=day.day + 10 * step)
            elif draw < 0.85:
                other = day.replace(month=day.month + step)
            else:
                other = day.replace(year=day.year + step)
        except ValueError:
            continue
        return other.toordinal()
    return ordinal + 1


class _FeedDistrict:
    __slots__ = ("district_id", "region", "by_rung", "first_day", "step", "offset", "seq", "cultures", "weight",
                 "pool", "town")

    def school(self, rung: int, random: Any) -> str:
        schools = self.by_rung[rung]
        return schools[int(random() * len(schools))] if len(schools) > 1 else schools[0]

    def local_id(self) -> str:
        self.seq += 1
        if self.seq >= _LOCAL_SPAN:
            raise ValueError(f"district {self.district_id} would need more than {_LOCAL_SPAN} local ids")
        return str(1_000_000 + (self.seq * self.step + self.offset) % _LOCAL_SPAN)


class _FeedGenerator:
    def __init__(self, rng: Random, orgs: Iterable[Mapping[str, str]], school_year: str, start: int, as_of: int):
        random = self.random = rng.random
        self.school_year = school_year
        self.start = start
        self.june1 = dt.date(start, 6, 1).toordinal()
        self.as_of = as_of
        self.sep1_of_age = [dt.date(start - age, 9, 1).toordinal() for age in range(0, 30)]
        self.graduation = _school_day(dt.date(start + 1, 1, 20).toordinal())  # mid-year graduates
        self.iso_cache: dict[int, str] = {}
        schools: dict[str, list[tuple[str, int, int]]] = {}
        regions: dict[str, str] = {}
        towns: dict[str, str] = {}
        for row in orgs:
            district_id = (row.get("district_id") or "").strip()
            if not district_id:
                continue
            regions.setdefault(district_id, (row.get("region") or "").strip())
            towns.setdefault(district_id, _town_of(row.get("district_name") or ""))
            school_id = (row.get("school_id") or "").strip()
            if school_id:
                low, high = _grade_span(row.get("grades"))
                schools.setdefault(district_id, []).append((school_id, low, high))
        if not schools:
            raise ValueError("make_feed needs orgs rows with at least one school")
        september = dt.date(start, 9, 1)
        labor_day = september.toordinal() + (7 - september.weekday()) % 7
        august_20 = dt.date(start, 8, 20).toordinal()
        self.districts: dict[str, _FeedDistrict] = {}
        self.regions: dict[str, list[_FeedDistrict]] = {}
        for district_id in sorted(schools):
            district = _FeedDistrict()
            district.district_id, district.region, district.town = district_id, regions[district_id], towns[district_id]
            own = schools[district_id]
            district.by_rung = []
            for rung in range(len(_LADDER) + 1):
                wanted = len(_LADDER) - 1 if rung == _UNGRADED else rung
                fit = [school_id for school_id, low, high in own if low <= wanted <= high]
                district.by_rung.append(fit or [school_id for school_id, _, _ in own])
            district.first_day = labor_day + 1 if random() < 0.75 else _school_day(august_20 + int(random() * 8))
            step = 1 + int(random() * (_LOCAL_SPAN - 1))
            while gcd(step, _LOCAL_SPAN) != 1:
                step += 1
            district.step, district.offset, district.seq = step, int(random() * _LOCAL_SPAN), 0
            district.cultures = _Table((
                ("wisconsin", 66.0), ("hispanic", 4 + 28 * random() ** 2), ("black", 1 + 60 * random() ** 6),
                ("hmong", 0.5 + 25 * random() ** 5), ("native", 0.3 + 20 * random() ** 12), ("mayan", 0.2),
                ("haitian", 0.2)))
            gauss = (-2.0 * log(1.0 - random())) ** 0.5 * cos(2.0 * pi * random())
            district.weight = (len(own) + 1) * exp(0.7 * gauss)
            district.pool = []
            self.districts[district_id] = district
            self.regions.setdefault(district.region, []).append(district)
        self.district_list = list(self.districts.values())
        self.coe_ssids: set[str] = set()
        self.own_k, self.own_offset = 0, int(random() * 8_000_000_000)

    # -- small helpers -------------------------------------------------------------------------------------

    def iso(self, ordinal: int) -> str:
        text = self.iso_cache.get(ordinal)
        if text is None:
            text = self.iso_cache[ordinal] = dt.date.fromordinal(ordinal).isoformat()
        return text

    def below(self, n: int) -> int:
        return int(self.random() * n)

    def one(self, items: Sequence[Any]) -> Any:
        return items[int(self.random() * len(items))]

    def age(self, birth: int) -> int:
        born = dt.date.fromordinal(birth)
        return self.start - born.year - ((born.month, born.day) > (9, 1))

    def own_ssid(self) -> str:
        """A 10-digit state student id no other student of the feed has and no COE child has."""
        while True:
            self.own_k += 1
            text = str(1_000_000_000 + (self.own_k * _OWN_SSID_STEP + self.own_offset) % 8_000_000_000)
            if text not in self.coe_ssids:
                return text

    def neighbour(self, district: _FeedDistrict) -> _FeedDistrict:
        """Another district of the same region (the district itself when it is alone)."""
        others = self.regions[district.region]
        if len(others) == 1:
            return district
        other = district
        while other is district:
            other = others[int(self.random() * len(others))]
        return other

    def exit_day(self, entry: int, earliest: int = 5) -> int | None:
        """A day after ``entry`` and not after the feed's night, or None when there is none."""
        span = self.as_of - entry - earliest
        if span < 1:
            return None
        day = _school_day(entry + earliest + int(self.random() * span))
        return day if day <= self.as_of else self.as_of

    # -- the whole feed ------------------------------------------------------------------------------------

    def feed(self, coes: Iterable[Mapping[str, Any]], rows: int,
             migrant_share: float | None) -> Iterator[tuple[dict[str, str], dict | None]]:
        random = self.random
        children: list[tuple[list, bool]] = []
        for document in coes:
            if isinstance(document, Mapping):
                self.coe(document, children)
        total = sum(len(child_rows) for child_rows, _ in children)
        target = rows if migrant_share is None else min(rows, round(rows * migrant_share))
        if total > target:  # whole children, drawn at random, as many as fit
            order = list(range(len(children)))
            _shuffle(random, order)
            chosen: list[int] = []
            total = 0
            for index in order:
                if total + len(children[index][0]) <= target:
                    total += len(children[index][0])
                    chosen.append(index)
            children = [children[index] for index in sorted(chosen)]
        buckets: dict[str, list[list]] = {}
        for child_rows, needs_id in children:
            ssid = self.own_ssid() if needs_id else None
            unit: list = []
            for district, values, truth in child_rows:
                if ssid:
                    values[4] = ssid
                if unit and unit[-1][0][0] != values[0]:
                    buckets.setdefault(unit[-1][0][0], []).append(unit)
                    unit = []
                unit.append((values, truth))
            if unit:
                buckets.setdefault(unit[-1][0][0], []).append(unit)
        del children
        quotas = self.quotas(rows - total)
        for district in self.district_list:
            yield from self.district_rows(district, buckets.pop(district.district_id, []),
                                          quotas[district.district_id])

    def quotas(self, others: int) -> dict[str, int]:
        """Other students' rows per district, in proportion to the districts' weights."""
        total = sum(district.weight for district in self.district_list)
        shares = [(others * district.weight / total, district.district_id) for district in self.district_list]
        quotas = {district_id: int(share) for share, district_id in shares}
        short = others - sum(quotas.values())
        for share, district_id in sorted(shares, key=lambda pair: int(pair[0]) - pair[0])[:short]:
            quotas[district_id] += 1
        return quotas

    def district_rows(self, district: _FeedDistrict, units: list[list],
                      quota: int) -> Iterator[tuple[dict[str, str], dict | None]]:
        """The district's rows: the COE children's, here and there among the families of the others."""
        random = self.random
        columns = FEED_COLUMNS
        waiting, left = len(units), quota
        index = 0
        while index < waiting or left > 0:
            if index < waiting and (left <= 0 or random() * (waiting - index + left / 1.8) < waiting - index):
                for values, truth in units[index]:
                    yield dict(zip(columns, values)), truth
                units[index] = None  # type: ignore[call-overload]
                index += 1
            else:
                family = self.family(district, left)
                left -= len(family)
                for row in family:
                    yield row, None

    # -- the children of the COEs --------------------------------------------------------------------------

    def coe(self, document: Mapping[str, Any], out: list[tuple[list, bool]]) -> None:
        """The enrollments of one COE's children (appended to ``out``, one entry a child), if any."""
        random, below = self.random, self.below
        kids = document.get("children")
        if not isinstance(kids, list) or not kids:
            return
        for kid in kids:
            if isinstance(kid, Mapping) and kid.get("state_student_id"):
                self.coe_ssids.add(str(kid["state_student_id"]))
        move = document.get("qualifying_move")
        qad = _ordinal(move.get("qad")) if isinstance(move, Mapping) else None
        if qad is None or qad > self.as_of:
            return
        to = move.get("to") if isinstance(move.get("to"), Mapping) else {}
        home = self.districts.get(str(to.get("district_id") or "")) or self.one(self.district_list)
        work = move.get("work") if isinstance(move.get("work"), Mapping) else {}
        season_end = None
        if work.get("duration") == "seasonal" and work.get("activity") in _SEASON_END:
            month, day = _SEASON_END[work["activity"]]
            season_end = dt.date(dt.date.fromordinal(qad).year, month, day).toordinal()
        for kid in kids:  # the cousins named alike come from every family, enrolled or not
            if len(home.pool) < 300 and isinstance(kid, Mapping) and isinstance(kid.get("first_name"), str):
                birth = _ordinal(kid.get("birth_date"))
                if birth and kid.get("sex") in ("F", "M") and isinstance(kid.get("last_name_1"), str):
                    home.pool.append((kid["first_name"], kid.get("middle_name") or "", kid["last_name_1"],
                                      kid.get("last_name_2") or "", kid["sex"], birth))

        this_season = qad >= self.june1
        if not this_season:
            stay = 0.5 if qad >= self.june1 - 365 else 0.35
        elif season_end is not None and season_end < home.first_day - 3:
            stay = 0.25
        else:
            stay = 0.9
        if document.get("status") != "approved":
            stay *= 0.5
        if random() >= stay:
            return
        district = home if random() < 0.88 else self.neighbour(home)
        first_day = district.first_day
        if qad < first_day:
            entry = first_day if random() < 0.85 else first_day + 1 + int(_expo(random, 6.0))
        else:
            entry = qad + 1 + int(_expo(random, 4.0))
        entry = _school_day(entry)
        if entry > self.as_of:
            return
        leave = transfer = None
        draw = random()
        if this_season and season_end is not None and season_end >= first_day - 3:
            if draw < 0.55:
                leave = season_end + below(26)
                if leave <= entry:
                    return  # the family went home before the children were enrolled
        elif draw < 0.12:
            leave = self.exit_day(entry, 15)
        if leave is not None and leave > self.as_of:
            leave = None
        second = None
        if leave is None and random() < 0.10:
            transfer = self.exit_day(entry, 10)
            second = self.neighbour(district) if transfer else None

        family = document.get("family") if isinstance(document.get("family"), Mapping) else {}
        origin = move.get("from") if isinstance(move.get("from"), Mapping) else {}
        culture = {"ht": "haitian", "en": "anglo"}.get(family.get("home_language"), "hispanic")
        if culture == "hispanic" and any(isinstance(kid, Mapping) and kid.get("last_name_1") in _MAYAN_SURNAMES
                                         for kid in kids):
            culture = "mayan"
        context = (str(document.get("coe_id") or ""), family, origin, str(to.get("state") or "WI"), culture, qad,
                   entry, leave, transfer, district, second, {})
        firsts = [_plain(kid["first_name"]) for kid in kids
                  if isinstance(kid, Mapping) and isinstance(kid.get("first_name"), str)]
        for index, kid in enumerate(kids):
            if isinstance(kid, Mapping):
                child = self.child(context, index, kid, firsts)
                if child is not None:
                    out.append(child)

    def child(self, context: tuple, index: int, kid: Mapping[str, Any],
              firsts: list[str]) -> tuple[list, bool] | None:
        random, below = self.random, self.below
        coe_id, family, origin, home_state, culture, qad, entry, leave, transfer, district, second, homes = context
        birth = _ordinal(kid.get("birth_date"))
        sex, first, last_1 = kid.get("sex"), kid.get("first_name"), kid.get("last_name_1")
        if (birth is None or sex not in ("F", "M", "X") or kid.get("hs_completion_date")
                or not isinstance(first, str) or not first or not isinstance(last_1, str) or not last_1):
            return None
        age = self.age(birth)
        if not 4 <= age <= 21:
            return None
        grade = kid.get("grade")
        if grade in _RUNG:
            qad_day = dt.date.fromordinal(qad)
            rung = _RUNG[grade] + self.start - (qad_day.year if qad_day.month >= 6 else qad_day.year - 1)
            if rung >= len(_LADDER):
                if age > 18 or random() >= 0.1:
                    return None  # finished school in an earlier year
                rung = len(_LADDER) - 1
            if rung < 0:
                return None
        elif age <= 17:
            rung = max(0, age - 4)
        else:
            if random() >= 0.08:
                return None  # an out-of-school youth
            rung = len(_LADDER) - 1 if random() < 0.75 else _UNGRADED
        if rung == 0 and random() >= 0.6:
            return None  # 4K is optional
        if 16 <= age <= 17 and random() < 0.15:
            return None  # works instead
        if random() < 0.04:
            return None  # home-schooled, a private school
        start = entry
        if rung == 0 and random() < 0.5:
            start = _school_day(entry + 1 + below(6))  # a staggered 4K start
            if start > self.as_of:
                return None

        # The first exit: the family's, or the child's own.
        exit_day, reason = None, ""
        if leave is not None:
            exit_day, reason = leave, "MOVED_OUT_OF_STATE"
        elif transfer is not None:
            exit_day, reason = transfer, "TRANSFER_IN_STATE"
        own_day, own_reason = None, ""
        draw = random()
        if age >= 16 and draw < 0.06:
            own_day, own_reason = self.exit_day(start, 10), "DROPPED_OUT"
        elif age >= 17 and draw < 0.075:
            own_day, own_reason = self.exit_day(start, 10), "HSE"
        elif rung == len(_LADDER) - 1 and 0.2 < draw < 0.24 and start + 10 < self.graduation <= self.as_of:
            own_day, own_reason = self.graduation, "GRADUATED"
        elif 0.5 < draw < 0.51:
            own_day, own_reason = self.exit_day(start, 10), "OTHER"
        if own_day is not None and (exit_day is None or own_day < exit_day):
            exit_day, reason = own_day, own_reason
        if exit_day is not None and exit_day <= start:
            exit_day, reason = None, ""

        ssid = kid.get("state_student_id")
        needs_id = not ssid and random() < 0.92
        ssid = str(ssid) if ssid else ""
        born = self.birthplace(culture, origin, home_state, age)
        el = "Y" if random() < {"mayan": 0.75, "haitian": 0.45, "anglo": 0.03}.get(culture, 0.45 if age < 11
                                                                                     else 0.35) else "N"
        iep = "Y" if random() < 0.09 else "N"
        names = (first, kid.get("middle_name") or "", last_1, kid.get("last_name_2") or "", sex, birth)
        others = [name for position, name in enumerate(firsts) if position != index]
        truth = {"coe_id": coe_id, "child_index": index}

        school = district.school(rung, random)
        record = self.record(names, others, district, family, homes, born)
        rows = [(district, self.values(district, school, record, ssid, rung, start, exit_day, reason, el, iep),
                 truth)]
        if reason == "TRANSFER_IN_STATE" and second is not None:
            school_2 = second.school(rung, random)
            if second is district:
                choices = [other for other in district.by_rung[rung] if other != school]
                school_2 = self.one(choices) if choices else ""
            entry_2 = _school_day(exit_day + 1 + below(7))
            if not school_2:
                rows[0][1][13] = rows[0][1][14] = ""  # the family moved, the child kept its school
            elif entry_2 <= self.as_of:
                exit_2, reason_2 = None, ""
                if own_day is not None and own_day > entry_2:
                    exit_2, reason_2 = own_day, own_reason
                if second is not district:
                    record = self.record(names, others, second, family, homes, born)
                rows.append((second, self.values(second, school_2, record, ssid, rung, entry_2, exit_2, reason_2,
                                                 el, iep), dict(truth)))
        return rows, needs_id

    def values(self, district: _FeedDistrict, school: str, record: tuple, ssid: str, rung: int, entry: int,
               exit_day: int | None, reason: str, el: str, iep: str) -> list[str]:
        local, first, middle, last, last_2, sex, birth, guardian_1, guardian_2, born, frl = record
        return [district.district_id, school, self.school_year, local, ssid, first, last, middle, last_2, sex, birth,
                "UG" if rung == _UNGRADED else _LADDER[rung], self.iso(entry),
                self.iso(exit_day) if exit_day is not None else "", reason if exit_day is not None else "",
                guardian_1, guardian_2, *born, el, iep, frl]

    def record(self, names: tuple, siblings: list[str], district: _FeedDistrict, family: Mapping[str, Any],
               homes: dict, born: tuple[str, str, str]) -> tuple:
        """One district's SIS record of a COE child: its local id and the child as its clerk typed it."""
        random, one = self.random, self.one
        first, middle, last_1, last_2, sex, birth = names
        original = first, middle
        if " " in first and random() < 0.25:
            first, middle = first.split(" ", 1)
        elif first in _NICKNAMES and random() < 0.05:
            first = one(_NICKNAMES[first])
        elif middle and random() < 0.05:
            first, middle = middle, (first if random() < 0.5 else "")
        if random() < 0.015 and random() < 0.6:
            first = _typo(random, first)
        if _plain(first) in siblings:
            first, middle = original  # a twin keeps a name of its own
        if last_2:
            draw = random()
            if draw < 0.07:
                last_2 = ""
            elif draw < 0.085:
                last_1, last_2 = last_2, last_1
            elif draw < 0.095:
                last_1, last_2 = last_2, ""  # the mother's surname only (the father's is not used)
        if random() < 0.015 * 0.4:
            last_1 = _typo(random, last_1)
        draw = random()
        if draw < 0.007:
            day = dt.date.fromordinal(birth)
            if day.day <= 12 and day.day != day.month:
                birth = dt.date(day.year, day.day, day.month).toordinal()
            else:
                birth = _digit_off(random, birth)
        elif draw < 0.015:
            birth = _digit_off(random, birth)

        household = homes.get(district.district_id)
        if household is None:
            household = homes[district.district_id] = self.household(family)
        strip, caps, layout, guardian_1, guardian_2 = household
        draw = random()
        if draw >= 0.85:
            middle = ""
        elif draw >= 0.70:
            middle = middle[:1]
        last, last_2 = self.surnames(last_1, last_2, layout)
        if strip:
            first, middle, last, last_2 = (first.translate(_DEACCENT), middle.translate(_DEACCENT),
                                           last.translate(_DEACCENT), last_2.translate(_DEACCENT))
        if caps:
            first, middle, last, last_2 = first.upper(), middle.upper(), last.upper(), last_2.upper()
        shown = ("", "", "") if random() < 0.2 else born if random() >= 0.25 else (born[0], born[1], "")
        frl = "Y" if random() < 0.95 else "N"
        return (district.local_id(), first, middle, last, last_2, sex, self.iso(birth), guardian_1, guardian_2,
                shown, frl)

    @staticmethod
    def surnames(last_1: str, last_2: str, layout: int) -> tuple[str, str]:
        if not last_2:
            return last_1, ""
        if layout == 0:
            return last_1, last_2
        return f"{last_1}{' ' if layout == 1 else '-'}{last_2}", ""

    def household(self, family: Mapping[str, Any]) -> tuple[bool, bool, int, str, str]:
        """How a district's clerk types a family: accents, case, surnames' layout, the guardians."""
        random = self.random
        strip, caps = random() < 0.55, random() < 0.08
        draw = random()
        layout = 0 if draw < 0.45 else 1 if draw < 0.80 else 2
        people = [person for person in (family.get("parent1"), family.get("parent2"))
                  if isinstance(person, Mapping) and person.get("first_name") and person.get("last_name_1")]
        if len(people) == 2 and random() < 0.3:
            people.reverse()  # the father first
        if len(people) == 2 and random() < 0.25:
            people.pop()      # one guardian only
        guardians = []
        for person in people:
            parts = [person["first_name"], person["last_name_1"]]
            if person.get("last_name_2") and random() >= 0.25:
                parts.append(person["last_name_2"])
            name = " ".join(parts)
            if strip:
                name = name.translate(_DEACCENT)
            guardians.append(name.upper() if caps else name)
        guardians += ["", ""]
        return strip, caps, layout, guardians[0], guardians[1]

    def birthplace(self, culture: str, origin: Mapping[str, Any], home_state: str, age: int) -> tuple[str, str, str]:
        """(country, state, city) of a COE child's birth, as plausible as the family's origin makes it."""
        random, one = self.random, self.one
        country, state, city = origin.get("country"), str(origin.get("state") or ""), str(origin.get("city") or "")
        draw = random()
        if culture == "mayan" and draw < 0.55:
            return "GT", "", one(_GT_CITIES)
        if culture == "haitian":
            if draw < 0.4:
                return "HT", "", one(_HT_CITIES)
            return ("US", "FL", one(_US_BIRTH_CITIES["FL"])) if draw < 0.9 else ("US", home_state, "")
        if country == "MX" and state in _MX_BIRTH_CITIES:
            if draw < (0.65 if age >= 10 else 0.35):
                return "MX", state, city if random() < 0.6 else one(_MX_BIRTH_CITIES[state])
            draw = 0.55 + 0.25 * random() if random() < 0.5 else 0.99  # in the home state, or in another
        elif country == "US" and state != home_state and culture != "anglo":
            if draw < 0.55:
                return "US", state, city if random() < 0.5 else one(_US_BIRTH_CITIES.get(state, (city,)))
        elif draw < 0.55:
            draw = 0.55 + 0.25 * random()  # moved within the state, or from an unknown place: born in it
        if draw < 0.80:
            return "US", home_state, _WI_BIRTH_CITIES.pick(random) if home_state == "WI" else ""
        if draw < 0.80 + (0.15 if age >= 10 else 0.05) and culture != "anglo":
            mx_state = _MX_BIRTH_STATES.pick(random)
            return "MX", mx_state, one(_MX_BIRTH_CITIES[mx_state])
        us_state = _MIGRANT_US_BIRTH.pick(random)
        return "US", us_state, one(_US_BIRTH_CITIES[us_state])

    # -- the other students --------------------------------------------------------------------------------

    def family(self, district: _FeedDistrict, limit: int, alike: bool = True) -> list[dict[str, str]]:
        """The rows of one family's children in the district's schools, at most ``limit``."""
        random = self.random
        if alike and district.pool and random() < 0.004:
            return self.look_alike(district, limit)
        culture = district.cultures.pick(random)
        surnames, women, men, girls, boys, middles, compound, el_rate, frl_rate = _OTHER_NAMES[culture]
        items, cumulative, total = surnames.items, surnames.cumulative, surnames.total
        last_1 = items[bisect_right(cumulative, random() * total)]
        if compound:
            mother_last = items[bisect_right(cumulative, random() * total)]
            last_2 = mother_last if random() < 0.85 else ""
        else:
            mother_last = last_1 if random() < 0.85 else items[bisect_right(cumulative, random() * total)]
            last_2 = ""
        household = self.other_household(women.pick(random), mother_last, men.pick(random), last_1, last_2)
        born = self.other_birthplace(culture, district)
        frl = "Y" if random() < frl_rate else "N"
        middle_rate = 0.25 if compound else 0.6 if middles[0] else 0.0
        rows: list[dict[str, str]] = []
        taken: set[str] = set()
        rung = _OTHER_ELDEST.pick(random)
        birth = age = 0
        sep1_of_age = self.sep1_of_age
        for child in range(_OTHER_FAMILY_SIZES.pick(random)):
            gap = 1
            if child:
                gap = 0 if random() < 0.02 else _SIBLING_GAPS.pick(random)
                if rung - gap < 0:
                    break
                rung -= gap
            if random() < 0.488:
                sex, names = "F", girls
            else:
                sex, names = "M", boys
            items, cumulative, total = names.items, names.cumulative, names.total
            first = items[bisect_right(cumulative, random() * total)]
            for _ in range(8):
                if first not in taken:
                    break
                first = items[bisect_right(cumulative, random() * total)]
            taken.add(first)
            middle = ""
            if random() < middle_rate:
                choices = middles[sex == "M"]
                middle = choices[int(random() * len(choices))]
                if middle == first:
                    middle = ""
            if gap:  # twins share the birth date
                age = rung + 4 + (1 if rung >= 2 and random() < 0.04 else 0)
                birth = sep1_of_age[age] - int(random() * 365)
            rows += self.other_student(district, first, middle, sex, birth, age, rung, household, born,
                                       "Y" if random() < el_rate else "N", frl)
            if len(rows) >= limit:
                break
        return rows[:limit]

    def look_alike(self, district: _FeedDistrict, limit: int) -> list[dict[str, str]]:
        """A student named as a COE child who lives in the district is, born on another day."""
        random = self.random
        first, middle, last_1, last_2, sex, birth = self.one(district.pool)
        shift = 60 + self.below(1400)
        for other in (birth + shift, birth - shift):
            age = self.age(other)
            if 4 <= age <= 17:
                break
        else:
            return self.family(district, limit, alike=False)
        _, women, men, _, _, _, _, el_rate, frl_rate = _OTHER_NAMES["hispanic"]
        household = self.other_household(women.pick(random), last_2 or _HISPANIC_SURNAMES.pick(random),
                                         men.pick(random), last_1, last_2)
        el = "Y" if random() < el_rate else "N"
        frl = "Y" if random() < frl_rate else "N"
        rows = self.other_student(district, first, middle, sex, other, age, age - 4, household,
                                  self.other_birthplace("hispanic", district), el, frl)
        return rows[:limit]

    def other_household(self, mother: str, mother_last: str, father: str, last_1: str, last_2: str) -> tuple:
        """How the clerk types the family: accents, case, the children's surnames, the guardians."""
        random = self.random
        strip, caps = random() < 0.55, random() < 0.08
        draw = random()
        last, last_2 = self.surnames(last_1, last_2, 0 if draw < 0.45 else 1 if draw < 0.80 else 2)
        guardians = [f"{mother} {mother_last}", f"{father} {last_1}"]
        draw = random()
        if draw < 0.3:
            guardians[1] = ""                                  # one parent
            if draw < 0.06:
                guardians[0] = f"{father} {last_1}"            # the father alone
        elif draw < 0.5:
            guardians.reverse()
        if strip:
            guardians = [name.translate(_DEACCENT) for name in guardians]
            last, last_2 = last.translate(_DEACCENT), last_2.translate(_DEACCENT)
        if caps:
            guardians = [name.upper() for name in guardians]
            last, last_2 = last.upper(), last_2.upper()
        return strip, caps, last, last_2, guardians[0], guardians[1]

    def other_birthplace(self, culture: str, district: _FeedDistrict) -> tuple[str, str, str]:
        random, one = self.random, self.one
        draw = random()
        if culture in ("hispanic", "mayan"):
            if culture == "mayan" and draw < 0.5:
                return "GT", "", one(_GT_CITIES)
            if draw < 0.13:
                state = _MX_BIRTH_STATES.pick(random)
                return "MX", state, one(_MX_BIRTH_CITIES[state])
            if draw < 0.18:
                return one(("GT", "HN", "SV")), "", ""
            draw = (draw - 0.18) / 0.82
        elif culture == "haitian":
            if draw < 0.35:
                return "HT", "", one(_HT_CITIES)
            if draw < 0.75:
                return "US", "FL", one(_US_BIRTH_CITIES["FL"])
            draw = 0.0
        elif culture == "hmong":
            if draw < 0.03:
                return "TH", "", ""
            if draw < 0.15:
                return "US", "MN", one(_US_BIRTH_CITIES["MN"])
            draw = 0.0
        if draw < 0.88:
            return "US", "WI", district.town if random() < 0.25 and district.town else _WI_BIRTH_CITIES.pick(random)
        state = _OTHERS_US_BIRTH.pick(random)
        return "US", state, one(_US_BIRTH_CITIES[state])

    def other_student(self, district: _FeedDistrict, first: str, middle: str, sex: str, birth: int, age: int,
                      rung: int, household: tuple, born: tuple[str, str, str], el: str,
                      frl: str) -> list[dict[str, str]]:
        """The rows of one student who is on no COE: one, or two when the student changed schools."""
        random, as_of, iso_cache = self.random, self.as_of, self.iso_cache
        strip, caps, last, last_2, guardian_1, guardian_2 = household
        if strip:
            if not first.isascii():
                first = first.translate(_DEACCENT)
            if not middle.isascii():
                middle = middle.translate(_DEACCENT)
        if caps:
            first, middle = first.upper(), middle.upper()
        if rung >= 9 and random() < 0.002:
            grade, rung = "UG", _UNGRADED
        else:
            grade = _LADDER[rung]
        schools = district.by_rung[rung]
        school = schools[int(random() * len(schools))] if len(schools) > 1 else schools[0]
        entry = first_day = district.first_day
        draw = random()
        if draw < 0.06:
            entry = _school_day(first_day + 1 + int(random() * (as_of - first_day)))
        elif rung == 0 and draw < 0.5:
            entry = _school_day(first_day + 1 + int(random() * 6))
        if entry > as_of:
            entry = first_day
        exit_text = reason = ""
        exit_day = None
        draw = random()
        if draw < 0.093:
            if draw < 0.03:
                reason = "TRANSFER_IN_STATE"
            elif draw < 0.045:
                reason = "MOVED_OUT_OF_STATE"
            elif draw < 0.05:
                reason = "OTHER"
            elif draw < 0.053:
                reason = "HSE" if age >= 17 else ""
            elif draw < 0.073:
                reason = "DROPPED_OUT" if age >= 16 else ""
            elif rung == len(_LADDER) - 1 and entry + 10 < self.graduation <= as_of:
                exit_day, reason = self.graduation, "GRADUATED"
            if reason and exit_day is None:
                exit_day = self.exit_day(entry)
                if exit_day is None:
                    reason = ""
            if reason:
                exit_text = self.iso(exit_day)  # type: ignore[arg-type]
        draw = random()
        shown = ("", "", "") if draw < 0.2 else born if draw >= 0.4 else (born[0], born[1], "")
        row = {
            "district_id": district.district_id, "school_id": school, "school_year": self.school_year,
            "local_student_id": district.local_id(), "state_student_id": self.own_ssid() if random() < 0.99 else "",
            "first_name": first, "last_name": last, "middle_name": middle, "last_name_2": last_2, "sex": sex,
            "birth_date": iso_cache.get(birth) or self.iso(birth), "grade": grade,
            "entry_date": iso_cache.get(entry) or self.iso(entry), "exit_date": exit_text, "exit_reason": reason,
            "guardian1_name": guardian_1, "guardian2_name": guardian_2, "birth_country": shown[0],
            "birth_state": shown[1], "birth_city": shown[2], "english_learner": el,
            "iep": "Y" if random() < (0.18 if sex == "M" else 0.10) else "N", "free_reduced_lunch": frl,
        }
        if reason != "TRANSFER_IN_STATE" or len(schools) < 2 or random() < 0.33:
            return [row]
        school_2 = school
        while school_2 == school:
            school_2 = schools[int(random() * len(schools))]
        entry_2 = _school_day(exit_day + 1 + int(random() * 5))  # type: ignore[operator]
        if entry_2 > as_of:
            return [row]
        return [row, {**row, "school_id": school_2, "entry_date": self.iso(entry_2), "exit_date": "",
                      "exit_reason": ""}]


# ---------------------------------------------------------------------------------------------------------
# Nightly changes
# ---------------------------------------------------------------------------------------------------------


def change_feed(seed: int, rows: Iterable[Mapping[str, str]], *, rate: float = 0.01) -> Iterator[dict[str, str]]:
    """``rows`` (a feed, in order) with a share ``rate`` of them changed as a night's changes look.

    A changed row keeps its key (district, local id, school, school year, entry date) and changes one
    thing: an exit date and reason added (45%), a name corrected (accents put back, a nickname replaced by
    the name, a compound surname split, upper case made proper: 30%), a grade corrected by one (25%), or,
    on a row without one, a state student id filled in (60% of those rows' changes; the student's other rows
    next to it get the same id the same night). Every other row is given back as it came, the same object.
    Filled ids are 10 digits starting with 9, all different; they could only collide with an id of a COE
    child (about 1 in 10 million per filled id), since make_feed's own ids never start with 9.
    """
    if not 0.0 <= rate <= 1.0:
        raise ValueError("rate is a share, between 0 and 1")
    return _changes(Random(seed), rows, rate)


def _changes(rng: Random, rows: Iterable[Mapping[str, str]], rate: float) -> Iterator[dict[str, str]]:
    random = rng.random
    offset, fills = int(random() * 1_000_000_000), 0
    last_key: tuple = ()
    last_fill = ""
    for row in rows:
        key = (row.get("district_id"), row.get("local_student_id"))
        if key == last_key and last_fill and not row.get("state_student_id"):
            yield {**row, "state_student_id": last_fill}
            continue
        last_key, last_fill = key, ""
        if random() >= rate:
            yield row  # type: ignore[misc]
            continue
        changed = dict(row)
        if not changed.get("state_student_id") and random() < 0.6:
            order = ("ssid", "exit", "name", "grade")
        else:
            draw = random()
            order = (("exit", "name", "grade") if draw < 0.45 else ("name", "grade", "exit") if draw < 0.75
                     else ("grade", "exit", "name")) + ("ssid",)
        for kind in order:
            if kind == "ssid" and not changed.get("state_student_id"):
                fills += 1
                last_fill = changed["state_student_id"] = str(
                    9_000_000_000 + (fills * _FILL_SSID_STEP + offset) % 1_000_000_000)
                break
            if kind == "exit" and _add_exit(random, changed):
                break
            if kind == "name" and _correct_name(random, changed):
                break
            if kind == "grade" and _correct_grade(random, changed):
                break
        yield changed


def _add_exit(random: Any, row: dict[str, str]) -> bool:
    entry = _ordinal(row.get("entry_date"))
    if row.get("exit_date") or entry is None:
        return False
    try:
        last_day = dt.date(_school_year_start(row.get("school_year", "")) + 1, 6, 10).toordinal()
    except ValueError:
        last_day = entry + 300
    day = min(last_day, entry + 1 + int(_expo(random, 45.0)))
    grade = row.get("grade", "")
    for _ in range(8):
        reason = _FEED_EXITS.pick(random)
        if reason in ("DROPPED_OUT", "HSE") and grade not in ("09", "10", "11", "12", "UG"):
            continue
        if reason == "GRADUATED" and grade != "12":
            continue
        break
    else:
        reason = "TRANSFER_IN_STATE"
    row["exit_date"], row["exit_reason"] = dt.date.fromordinal(max(day, entry + 1)).isoformat(), reason
    return True


def _correct_grade(random: Any, row: dict[str, str]) -> bool:
    grade = row.get("grade", "")
    if grade == "UG":
        row["grade"] = "12"
        return True
    rung = _RUNG.get(grade)
    if rung is None:
        return False
    step = 1 if rung == 0 or (rung < len(_LADDER) - 1 and random() < 0.5) else -1
    row["grade"] = _LADDER[rung + step]
    return True


_ACCENTED: dict[str, str] = {}
for _names in (_SURNAMES_TEXT.split(), _WOMEN, _MEN, _GIRLS, _BOYS, _GIRL_MIDDLES, _BOY_MIDDLES, _MAYAN_SURNAMES,
               _HAITIAN_SURNAMES, _HAITIAN_WOMEN, _HAITIAN_MEN, _HAITIAN_GIRLS, _HAITIAN_BOYS):
    for _name in _names:
        if _name.translate(_DEACCENT) != _name:
            _ACCENTED[_name.translate(_DEACCENT)] = _name
_FULL_NAMES = {nickname: name for name, nicknames in _NICKNAMES.items() for nickname in nicknames}
_HISPANIC_PLAIN = {_plain(name) for name in _SURNAMES_TEXT.split()}
del _names, _name


def _correct_name(random: Any, row: dict[str, str]) -> bool:
    first, last = row.get("first_name", ""), row.get("last_name", "")
    if first in _FULL_NAMES:
        row["first_name"] = _FULL_NAMES[first]
        return True
    if first in _ACCENTED or last in _ACCENTED:
        row["first_name"], row["last_name"] = _ACCENTED.get(first, first), _ACCENTED.get(last, last)
        return True
    for separator in (" ", "-"):
        one, _, two = last.partition(separator)
        if two and not row.get("last_name_2") and _plain(one) in _HISPANIC_PLAIN and _plain(two) in _HISPANIC_PLAIN:
            row["last_name"], row["last_name_2"] = one, two
            return True
    if first.isupper() and len(first) > 1:
        for key in ("first_name", "middle_name", "last_name", "last_name_2"):
            row[key] = row.get(key, "").title()
        return True
    return False


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


def write_feed(rows: Iterable[Mapping[str, str]], path: str | Path | IO[str], *, format: str = "csv") -> int:
    """Write feed rows as ``mepsis enrollments ingest`` reads them: ``csv`` (a header, UTF-8 without BOM,
    ``\\n`` line ends) or ``jsonl`` (one object a line, the same keys). Exactly ``FEED_COLUMNS``, in their
    order; returns the row count."""
    if format not in ("csv", "jsonl"):
        raise ValueError(f"format is csv or jsonl, not {format!r}")
    values = itemgetter(*FEED_COLUMNS)
    count = 0
    with _opened(path) as handle:
        if format == "csv":
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(FEED_COLUMNS)
            writerow = writer.writerow
            for row in rows:
                writerow(values(row))
                count += 1
        else:
            dumps, write = json.JSONEncoder(ensure_ascii=False).encode, handle.write
            for row in rows:
                write(dumps(dict(zip(FEED_COLUMNS, values(row)))))
                write("\n")
                count += 1
    return count


def read_feed(path: str | Path) -> Iterator[dict[str, str]]:
    """The rows of a feed file, CSV (with or without BOM) or JSON lines (by a first ``{``), one at a time;
    a missing or null value reads as ""."""
    with open(path, encoding="utf-8-sig", newline="") as handle:
        head = handle.read(1)
        while head.isspace():
            head = handle.read(1)
        handle.seek(0)
        if head == "{":
            for line in handle:
                if line.strip():
                    document = json.loads(line)
                    yield {key: "" if value is None else str(value) for key, value in document.items()}
            return
        reader = csv.reader(handle)
        header = next(reader, None)
        if header is None:
            return
        header = [name.strip() for name in header]
        for record in reader:
            yield dict(zip(header, record))


def _feed_format(path: str | Path) -> str:
    return "jsonl" if str(path).endswith((".jsonl", ".ndjson", ".json")) else "csv"


def read_documents(path: str | Path) -> Iterator[dict]:
    """The COE documents of a file, one at a time: JSON lines, or one JSON array or document."""
    with open(path, encoding="utf-8-sig") as handle:
        head = handle.read(1)
        while head.isspace():
            head = handle.read(1)
        handle.seek(0)
        if head == "[":
            yield from json.load(handle)
            return
        for line in handle:
            if line.strip():
                yield json.loads(line)


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


def _share(text: str) -> float:
    try:
        share = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not 0.0 <= share <= 1.0:
        raise argparse.ArgumentTypeError("a share is between 0 and 1")
    return share


class _Discard:
    """A file that forgets what is written to it."""

    def write(self, text: str) -> int:
        return len(text)


def _with_truth(pairs: Iterable[tuple[dict[str, str], dict | None]], handle: IO[str],
                first_line: int) -> Iterator[dict[str, str]]:
    """The rows of ``pairs``; each one's truth goes to ``handle`` with the line of the feed that holds it."""
    write, dumps = handle.write, json.JSONEncoder(ensure_ascii=False).encode
    for line, (row, truth) in enumerate(pairs, first_line):
        if truth is None:
            write(f'{{"line": {line}, "coe_id": null, "child_index": null}}\n')
        else:
            write(f'{{"line": {line}, "coe_id": {dumps(truth["coe_id"])}, "child_index": {truth["child_index"]}}}\n')
        yield row


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m mepsis.synth",
                                     description="Write synthetic districts, schools, COE documents and enrollment feeds.")
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
    coes.add_argument("--defect-rate", type=_share, default=0.0, help="share of documents with one defect (0-1)")
    coes.add_argument("--statuses", type=_statuses, default=None, help="weights, e.g. approved=8,submitted=1")
    coes.add_argument("--start", type=int, default=1, help="number of the first COE id")
    coes.add_argument("--year", type=int, default=2025, help="season of the qualifying moves")
    coes.add_argument("--state", default="WI")
    coes.add_argument("--today", type=dt.date.fromisoformat, default=None, help="no date after this day")
    sample = commands.add_parser("sample", help="regenerate the sample state that ships with MEPSIS")
    sample.add_argument("--dir", default=str(SAMPLE_DIR), help=f"where to write orgs.csv and coes.jsonl "
                                                               f"(default {SAMPLE_DIR})")
    feed = commands.add_parser("feed", help="an enrollment feed as districts' SIS send it, with its truth")
    feed.add_argument("--seed", type=int, required=True)
    feed.add_argument("--coes", required=True, help="COE documents (JSON lines): the children to enroll")
    feed.add_argument("--orgs", required=True, help="the orgs CSV whose schools take the enrollments")
    feed.add_argument("--rows", type=int, required=True, help="rows in the feed")
    feed.add_argument("--out", required=True, help="the feed file to write (- for standard output)")
    feed.add_argument("--format", choices=("csv", "jsonl"), default=None,
                      help="default: jsonl when --out ends in .jsonl, else csv")
    feed.add_argument("--truth", default=None, help="JSON lines, one a feed row: its line, coe_id, child_index")
    feed.add_argument("--school-year", default="2025-26")
    feed.add_argument("--migrant-share", type=_share, default=None,
                      help="at most this share of rows for COE children (default: all who enroll)")
    feed.add_argument("--as-of", type=dt.date.fromisoformat, default=None,
                      help="the night the feed is pulled (default March 1 of the school year)")
    change = commands.add_parser("change-feed", help="a feed with a share of its rows changed, as a night later")
    change.add_argument("--seed", type=int, required=True)
    change.add_argument("--feed", required=True, help="the feed to change (CSV or JSON lines)")
    change.add_argument("--rate", type=_share, default=0.01, help="share of rows changed (default 0.01)")
    change.add_argument("--out", required=True, help="the feed file to write (- for standard output)")
    change.add_argument("--format", choices=("csv", "jsonl"), default=None, help="default: as the input")
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
        elif args.command == "feed":
            if args.rows < 0:
                parser.error("--rows must not be negative")
            pairs = make_feed(args.seed, coes=read_documents(args.coes), orgs=read_orgs_csv(args.orgs),
                              rows=args.rows, school_year=args.school_year, migrant_share=args.migrant_share,
                              as_of=args.as_of)
            format = args.format or _feed_format(args.out)
            with _opened(args.truth if args.truth else _Discard()) as truth:
                write_feed(_with_truth(pairs, truth, 2 if format == "csv" else 1), args.out, format=format)
        elif args.command == "change-feed":
            format = args.format or _feed_format(args.feed)
            write_feed(change_feed(args.seed, read_feed(args.feed), rate=args.rate), args.out, format=format)
        else:
            write_sample(args.dir)
    except (OSError, ValueError, csv.Error) as error:
        print(f"python -m mepsis.synth {args.command}: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
