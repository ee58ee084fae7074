"""Name lists. Parents' surnames and forenames come from Faker's en_GB lists (weighted as Faker weights them);
children's forenames from lists of names given to babies in England and Wales over the last two decades, with
lists for the county's larger minority communities so that names fit the family's recorded ethnicity."""

import random

from faker.providers.person.en_GB import Provider as FakerPerson

from opencsc.synthetic.randomness import cumulative

CHILD_NAMES_FEMALE = (
    "Olivia",
    "Amelia",
    "Isla",
    "Ava",
    "Mia",
    "Ivy",
    "Lily",
    "Isabella",
    "Rosie",
    "Sophia",
    "Grace",
    "Freya",
    "Poppy",
    "Evie",
    "Ella",
    "Emily",
    "Jessica",
    "Chloe",
    "Ruby",
    "Sophie",
    "Charlotte",
    "Daisy",
    "Millie",
    "Phoebe",
    "Scarlett",
    "Holly",
    "Erin",
    "Megan",
    "Lucy",
    "Ellie",
    "Amber",
    "Maisie",
    "Willow",
    "Harper",
    "Luna",
    "Florence",
    "Matilda",
    "Elsie",
    "Sienna",
    "Layla",
    "Hannah",
    "Katie",
    "Leah",
    "Bethany",
    "Courtney",
    "Shannon",
    "Jade",
    "Paige",
    "Kayleigh",
    "Tia",
    "Lacey",
    "Skye",
    "Summer",
    "Esme",
    "Aria",
)
CHILD_NAMES_MALE = (
    "Oliver",
    "George",
    "Noah",
    "Arthur",
    "Harry",
    "Leo",
    "Muhammad",
    "Jack",
    "Charlie",
    "Oscar",
    "Jacob",
    "Henry",
    "Thomas",
    "Freddie",
    "Alfie",
    "Theo",
    "William",
    "Theodore",
    "Archie",
    "Joshua",
    "Alexander",
    "James",
    "Isaac",
    "Edward",
    "Lucas",
    "Tommy",
    "Finley",
    "Max",
    "Logan",
    "Ethan",
    "Teddy",
    "Benjamin",
    "Dylan",
    "Riley",
    "Mason",
    "Kai",
    "Callum",
    "Connor",
    "Kyle",
    "Liam",
    "Jayden",
    "Tyler",
    "Reece",
    "Bradley",
    "Lewis",
    "Ryan",
    "Jake",
    "Louie",
    "Harvey",
    "Frankie",
    "Reggie",
    "Ronnie",
    "Albie",
    "Jenson",
)
SOUTH_ASIAN_FEMALE = (
    "Aisha",
    "Zara",
    "Maryam",
    "Fatima",
    "Hafsa",
    "Inaya",
    "Aleena",
    "Anaya",
    "Zainab",
    "Khadija",
    "Amira",
    "Hania",
    "Noor",
    "Sana",
    "Eman",
    "Iqra",
    "Mehreen",
    "Rabia",
    "Samina",
    "Nadia",
    "Ayesha",
    "Safiya",
)
SOUTH_ASIAN_MALE = (
    "Muhammad",
    "Ibrahim",
    "Yusuf",
    "Adam",
    "Ayaan",
    "Zayn",
    "Hamza",
    "Ali",
    "Bilal",
    "Usman",
    "Haris",
    "Rayyan",
    "Zakariya",
    "Imran",
    "Faisal",
    "Tariq",
    "Sameer",
    "Danyal",
    "Idris",
    "Saif",
    "Aariz",
    "Umar",
)
SOUTH_ASIAN_SURNAMES = (
    "Khan",
    "Hussain",
    "Ahmed",
    "Ali",
    "Akhtar",
    "Iqbal",
    "Mahmood",
    "Rashid",
    "Hussain",
    "Bibi",
    "Malik",
    "Rehman",
    "Shah",
    "Aslam",
    "Butt",
    "Javed",
    "Anwar",
    "Raja",
    "Nawaz",
    "Begum",
    "Miah",
    "Uddin",
)
INDIAN_FEMALE = ("Priya", "Anika", "Diya", "Ananya", "Kavya", "Simran", "Jasmine", "Navneet", "Riya", "Meera")
INDIAN_MALE = ("Arjun", "Rohan", "Aarav", "Vihaan", "Dev", "Harpreet", "Karan", "Jaskaran", "Rahul", "Nikhil")
INDIAN_SURNAMES = ("Patel", "Singh", "Sharma", "Kaur", "Gill", "Sandhu", "Mistry", "Shah", "Kumar", "Dhillon")
AFRICAN_FEMALE = (
    "Amara",
    "Chioma",
    "Adaeze",
    "Favour",
    "Precious",
    "Blessing",
    "Abena",
    "Nia",
    "Zuri",
    "Ife",
)
AFRICAN_MALE = ("David", "Daniel", "Emmanuel", "Samuel", "Kwame", "Tobi", "Chidi", "Kofi", "Tunde", "Elijah")
AFRICAN_SURNAMES = ("Okafor", "Adeyemi", "Mensah", "Okoro", "Boateng", "Mwangi", "Owusu", "Adebayo", "Nwosu")
EASTERN_EUROPEAN_FEMALE = ("Zofia", "Maja", "Julia", "Alicja", "Natalia", "Oliwia", "Wiktoria", "Elena")
EASTERN_EUROPEAN_MALE = ("Jakub", "Filip", "Szymon", "Kacper", "Mateusz", "Antoni", "Andrei", "Bartosz")
EASTERN_EUROPEAN_SURNAMES = (
    "Nowak",
    "Kowalski",
    "Wisniewski",
    "Popescu",
    "Kaminski",
    "Lewandowski",
    "Zielinski",
)

_SURNAMES = tuple(FakerPerson.last_names)
_SURNAME_WEIGHTS = cumulative(FakerPerson.last_names.values())


class NamePool:
    """Forenames and a surname suited to a family's recorded ethnicity."""

    def __init__(self, rng: random.Random):
        self.rng = rng

    def surname(self, ethnicity: str) -> str:
        special = _SURNAMES_BY_ETHNICITY.get(ethnicity)
        if special and self.rng.random() < 0.9:
            return self.rng.choice(special)
        return self.rng.choices(_SURNAMES, cum_weights=_SURNAME_WEIGHTS)[0]

    def child_forename(self, sex: str, ethnicity: str) -> str:
        female, male = _CHILD_FORENAMES_BY_ETHNICITY.get(ethnicity, (CHILD_NAMES_FEMALE, CHILD_NAMES_MALE))
        if self.rng.random() < 0.15:  # mixed naming within every community
            female, male = CHILD_NAMES_FEMALE, CHILD_NAMES_MALE
        return self.rng.choice(female if sex == "F" else male)

    def adult_forename(self, sex: str, ethnicity: str) -> str:
        special = _CHILD_FORENAMES_BY_ETHNICITY.get(ethnicity)
        if special and self.rng.random() < 0.85:
            return self.rng.choice(special[0] if sex == "F" else special[1])
        return self.rng.choice(FakerPerson.first_names_female if sex == "F" else FakerPerson.first_names_male)

    def middle_names(self, sex: str) -> str:
        if self.rng.random() < 0.45:
            return ""
        return self.rng.choice(CHILD_NAMES_FEMALE if sex == "F" else CHILD_NAMES_MALE)


_SOUTH_ASIAN = (SOUTH_ASIAN_FEMALE, SOUTH_ASIAN_MALE)
_CHILD_FORENAMES_BY_ETHNICITY = {
    "APKN": _SOUTH_ASIAN,
    "ABAN": _SOUTH_ASIAN,
    "AIND": (INDIAN_FEMALE, INDIAN_MALE),
    "BAFR": (AFRICAN_FEMALE, AFRICAN_MALE),
    "WOTH": (EASTERN_EUROPEAN_FEMALE, EASTERN_EUROPEAN_MALE),
    "WROM": (EASTERN_EUROPEAN_FEMALE, EASTERN_EUROPEAN_MALE),
}
_SURNAMES_BY_ETHNICITY = {
    "APKN": SOUTH_ASIAN_SURNAMES,
    "ABAN": SOUTH_ASIAN_SURNAMES,
    "AIND": INDIAN_SURNAMES,
    "BAFR": AFRICAN_SURNAMES,
    "WOTH": EASTERN_EUROPEAN_SURNAMES,
    "WROM": EASTERN_EUROPEAN_SURNAMES,
}
