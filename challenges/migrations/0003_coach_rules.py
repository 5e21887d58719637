"""The needs-not-solutions coach's starting rules, in English and Norwegian Bokmål. Programme staff edit
them in the portal afterwards (/challenges/coach/rules/); loading again never overwrites an edited rule
(a rule whose phrase already exists in the language is left as it is)."""

from django.db import migrations

BRAND, TECHNOLOGY, PHRASE = "brand", "technology", "solution_phrase"

# --- English ---------------------------------------------------------------------------------------

EN_BRAND = (
    "This is a brand or product name. Naming a product decides the answer before suppliers have seen the "
    "problem, and shuts out everyone who could reach the same result another way. Procurement rules also "
    "restrict references to brands, and adding “or equivalent” does not turn a product into a need."
)
EN_TECHNOLOGY = (
    "This names a technology as the answer. Suppliers with another way to reach the outcome (perhaps "
    "cheaper, simpler or not digital at all) will read the challenge as not meant for them, and you "
    "lose the ideas you did not think of."
)
EN_SOLUTION = (
    "This describes the solution you have in mind rather than the problem. Suppliers answer what you "
    "ask for: ask for a system and you will be offered systems."
)
EN_DESCRIBING_TODAY = " If the sentence describes how things are today rather than what you want, you may keep it."

EN_MEETING = (
    "Describe what people need to do together and why it is hard today, e.g. “Care staff in different "
    "districts can agree on a resident's plan without travelling.” If a new service must work with a tool "
    "you already use, write that under constraints."
)
EN_VOICE = (
    "Describe the situation of the person at home, e.g. “Residents who live alone can ask for help or "
    "company at any hour, without having to use their hands or a screen.”"
)
EN_DEVICE = (
    "Describe who needs to do what, and where, e.g. “Home-care staff can read and update a care plan at "
    "the resident's door.” Leave the choice of device to the suppliers."
)
EN_BUSINESS_SYSTEM = (
    "Describe the work that goes wrong today and the result you need, e.g. “Case handlers see all of a "
    "resident's open requests in one place and answer within two days.” List the systems a new service "
    "must exchange data with under constraints."
)
EN_MESSAGING = (
    "Describe whom you need to reach and what they should be able to do, e.g. “Parents hear about "
    "changes at school the same day and can answer in their own language.”"
)
EN_REPORTING = (
    "Describe the decisions people must make and what they need to know to make them, e.g. “Managers "
    "see every week how long residents wait for a home visit.”"
)
EN_QUESTIONS = (
    "Describe the questions people need answered, and how fast, e.g. “Residents get a correct answer "
    "about waste collection at any hour, in plain language.”"
)

EN = [
    (BRAND, "Microsoft Teams", EN_BRAND, EN_MEETING),
    (BRAND, "Microsoft 365", EN_BRAND, EN_MEETING),
    (BRAND, "Alexa", EN_BRAND, EN_VOICE),
    (BRAND, "Google Home", EN_BRAND, EN_VOICE),
    (BRAND, "Siri", EN_BRAND, EN_VOICE),
    (BRAND, "iPad*", EN_BRAND, EN_DEVICE),
    (BRAND, "iPhone*", EN_BRAND, EN_DEVICE),
    (BRAND, "Salesforce", EN_BRAND, EN_BUSINESS_SYSTEM),
    (BRAND, "SAP", EN_BRAND, EN_BUSINESS_SYSTEM),
    (
        BRAND,
        "Excel",
        EN_BRAND + EN_DESCRIBING_TODAY + " “Excel” as a verb (“pupils excel”) is flagged too: ignore it then.",
        "Describe the information problem, e.g. “Planners spend two days a month merging figures by hand, "
        "and the figures are often wrong.”",
    ),
    (BRAND, "WhatsApp", EN_BRAND, EN_MESSAGING),
    (BRAND, "Facebook", EN_BRAND, EN_MESSAGING),
    (BRAND, "Power BI", EN_BRAND, EN_REPORTING),
    (BRAND, "ChatGPT", EN_BRAND, EN_QUESTIONS),
    (
        TECHNOLOGY,
        "app",
        EN_TECHNOLOGY + " Many of the people you want to help may not use apps at all." + EN_DESCRIBING_TODAY,
        "Describe what people should be able to do and what should change for them, e.g. instead of “an app "
        "for booking sports halls”, “clubs find and book a free hall in minutes, and halls stand empty less "
        "often”.",
    ),
    (
        TECHNOLOGY,
        "apps",
        EN_TECHNOLOGY + EN_DESCRIBING_TODAY,
        "Describe what people should be able to do and what should change for them, e.g. “young people "
        "find a leisure activity near home that suits them”.",
    ),
    (
        TECHNOLOGY,
        "mobile app*",
        EN_TECHNOLOGY,
        "Describe where people are and what they need to do there, e.g. “residents can report a broken "
        "street light when they see it, and know when it will be fixed”.",
    ),
    (
        TECHNOLOGY,
        "platform",
        EN_TECHNOLOGY + " If you mean a physical platform (at a station or a stage), ignore this flag.",
        "Say who needs to meet, share or find what, e.g. instead of “a platform for volunteers”, “people "
        "who want to volunteer find a task near them within a week”.",
    ),
    (
        TECHNOLOGY,
        "platforms",
        EN_TECHNOLOGY + " If you mean physical platforms (at a station or a stage), ignore this flag.",
        "Say who needs to meet, share or find what, and what should change when they do.",
    ),
    (
        TECHNOLOGY,
        "portal*",
        EN_TECHNOLOGY,
        "Describe what people come looking for and what they should be able to do, e.g. “applicants know "
        "at any time how far their building permit has come”.",
    ),
    # Not "sensor*": that would flag a "sensory garden".
    (
        TECHNOLOGY,
        "sensor",
        EN_TECHNOLOGY + " Measuring is a means; what matters is what you learn and do with it.",
        "Describe what you need to know, how soon, and what you will do about it, e.g. instead of “a sensor "
        "in every flat”, “staff learn within minutes when a resident has fallen”.",
    ),
    (
        TECHNOLOGY,
        "sensors",
        EN_TECHNOLOGY + " Measuring is a means; what matters is what you learn and do with it.",
        "Describe what you need to know, how soon, and what you will do about it, e.g. instead of “sensors "
        "in the flats”, “staff learn within minutes when a resident has fallen”.",
    ),
    (
        TECHNOLOGY,
        "chatbot*",
        EN_TECHNOLOGY,
        "Describe the questions people need answered and how fast, e.g. “residents get a correct answer "
        "about their benefits outside office hours”.",
    ),
    (
        TECHNOLOGY,
        "blockchain*",
        EN_TECHNOLOGY,
        "Describe the trust problem, e.g. “buyers of recycled materials can check where a batch came "
        "from, and nobody can alter the record afterwards”.",
    ),
    (
        TECHNOLOGY,
        "AI",
        EN_TECHNOLOGY,
        "Describe the task that is too slow, too costly or too error-prone today, e.g. “case handlers spend "
        "half their time sorting incoming mail, and urgent cases wait”.",
    ),
    (
        TECHNOLOGY,
        "artificial intelligence",
        EN_TECHNOLOGY,
        "Describe the task that is too slow, too costly or too error-prone today, and the result you need.",
    ),
    (
        TECHNOLOGY,
        "machine learning",
        EN_TECHNOLOGY,
        "Describe what you need to predict, find or decide, and how good the answer must be, e.g. "
        "“we know a week ahead which roads will need gritting”.",
    ),
    (
        TECHNOLOGY,
        "drone*",
        EN_TECHNOLOGY,
        "Describe what needs to be seen, reached or delivered, e.g. “inspectors know the state of every "
        "bridge each year without closing the road”.",
    ),
    (
        TECHNOLOGY,
        "robot*",
        EN_TECHNOLOGY,
        "Describe the task and who it weighs on today, e.g. “care staff spend an hour a shift fetching "
        "supplies instead of being with residents”.",
    ),
    (
        TECHNOLOGY,
        "RFID",
        EN_TECHNOLOGY,
        "Describe what must be found or tracked, and why, e.g. “library staff know where every book is "
        "without counting by hand”.",
    ),
    (
        TECHNOLOGY,
        "IoT",
        EN_TECHNOLOGY,
        "Describe what you need to know about the physical world, how soon, and what you will do with it.",
    ),
    (
        TECHNOLOGY,
        "Internet of Things",
        EN_TECHNOLOGY,
        "Describe what you need to know about the physical world, how soon, and what you will do with it.",
    ),
    (
        TECHNOLOGY,
        "dashboard*",
        EN_TECHNOLOGY,
        "Describe the decisions people must make and what they need to know to make them, e.g. “the "
        "duty manager knows each morning which schools lack a substitute teacher”.",
    ),
    (
        TECHNOLOGY,
        "tablet*",
        EN_TECHNOLOGY + " If you mean tablets as medicine, ignore this flag.",
        "Describe who needs to do what, and where, e.g. “residents with dementia can see and talk to their "
        "family without help”. Leave the choice of device to the suppliers.",
    ),
    (
        TECHNOLOGY,
        "software",
        EN_TECHNOLOGY + EN_DESCRIBING_TODAY,
        "Describe the work or service that should improve, e.g. “school meals are planned so that less "
        "food is thrown away”. Software may be part of an answer, or not.",
    ),
    (
        TECHNOLOGY,
        "smartwatch*",
        EN_TECHNOLOGY,
        "Describe the situation of the person wearing it, e.g. “people with dementia can walk on their own, "
        "and relatives know they are safe”.",
    ),
    (
        TECHNOLOGY,
        "wearable*",
        EN_TECHNOLOGY,
        "Describe the situation of the person concerned, e.g. “workers on the road are warned before a "
        "vehicle comes too close”.",
    ),
    (
        TECHNOLOGY,
        "digital twin*",
        EN_TECHNOLOGY,
        "Describe the decisions a model of the city should help with, e.g. “planners see how a new road "
        "changes noise and traffic before it is built”.",
    ),
    (
        TECHNOLOGY,
        "virtual reality",
        EN_TECHNOLOGY,
        "Describe what people should learn or experience, e.g. “new staff practise rare emergencies "
        "before they meet one”.",
    ),
    (
        TECHNOLOGY,
        "GPS",
        EN_TECHNOLOGY,
        "Describe what must be known about where someone or something is, and who needs to know it.",
    ),
    (
        TECHNOLOGY,
        "QR code*",
        EN_TECHNOLOGY,
        "Describe what people in that place need to find out or do, e.g. “visitors learn in their own "
        "language what a monument is about”.",
    ),
    (
        PHRASE,
        "we want a system that",
        EN_SOLUTION,
        "Start from the people affected: “Today … happens to …; we want … to change”, e.g. “Today residents "
        "wait three weeks for an answer; we want them to get one within a week.”",
    ),
    (
        PHRASE,
        "we want a system which",
        EN_SOLUTION,
        "Start from the people affected: “Today … happens to …; we want … to change”.",
    ),
    (
        PHRASE,
        "we need a system that",
        EN_SOLUTION,
        "Say what must change for the people affected, and how you will know it has, e.g. “fewer than one "
        "in ten residents has to call us twice about the same thing”.",
    ),
    (
        PHRASE,
        "we need a solution that",
        EN_SOLUTION,
        "Say what must change for the people affected, and how you will know it has, e.g. “we need fewer "
        "residents over 75 to feel lonely”.",
    ),
    (
        PHRASE,
        "we are looking for a solution",
        EN_SOLUTION,
        "Say what you are looking to change, e.g. “we are looking to halve the time residents wait for a "
        "home visit”.",
    ),
    (
        PHRASE,
        "we want to buy",
        EN_SOLUTION + " An innovation procurement buys a result, not a known product.",
        "Say what you want to achieve, and let suppliers propose what you should buy.",
    ),
    (
        PHRASE,
        "supply and install",
        "This is the language of buying a known product. An innovation procurement asks suppliers how they "
        "would reach an outcome; delivery and installation follow from the answer.",
        "Say what should be different after the contract, e.g. “the school uses half the energy it uses "
        "today, and the classrooms are as warm”.",
    ),
    (
        PHRASE,
        "must use",
        "Requiring a particular means fixes the solution. Real must-haves (laws, standards, systems a "
        "service has to connect to) belong under constraints, with the reason." + EN_DESCRIBING_TODAY,
        "State the requirement behind it, e.g. instead of “must use BankID”, “residents must be identified "
        "to the level the law requires for health data”.",
    ),
    (
        PHRASE,
        "shall use",
        "Requiring a particular means fixes the solution. Real must-haves (laws, standards, systems a "
        "service has to connect to) belong under constraints, with the reason.",
        "State the requirement behind it and why it matters, and leave the means to the suppliers.",
    ),
    (
        PHRASE,
        "based on",
        "“Based on” often ties the answer to a technology (“a service based on sensors”). If it refers to "
        "evidence or facts (“based on our survey”), keep it.",
        "Say what the technology was meant to achieve, e.g. instead of “a service based on sensors”, "
        "“staff learn within minutes when a resident has fallen”.",
    ),
    (
        PHRASE,
        "develop an app",
        "This orders a particular product to be built. The need may be met without a new app at all, or "
        "by changing how a service works.",
        "Describe what people should be able to do and what should change for them, and let suppliers "
        "propose how.",
    ),
    (
        PHRASE,
        "develop a platform",
        "This orders a particular product to be built. The need may be met without a new platform at all.",
        "Say who needs to meet, share or find what, and what should change when they do.",
    ),
    (
        PHRASE,
        "build a portal",
        "This orders a particular product to be built. The need may be met without a new portal at all.",
        "Describe what people come looking for and what they should be able to do.",
    ),
    (
        PHRASE,
        "the solution must",
        "Requirements written as “the solution must …” assume one solution and soon become a "
        "specification of it.",
        "Write what must be true for the people affected, e.g. “residents get an answer the same day” "
        "instead of “the solution must send a text message”.",
    ),
    (
        PHRASE,
        "the system must",
        "Requirements written as “the system must …” assume the answer is a system and soon become a "
        "specification of it.",
        "Write what must be true for the people affected, e.g. “staff see a resident's history before a "
        "visit” instead of “the system must show the history”.",
    ),
    (
        PHRASE,
        "the system shall",
        "Requirements written as “the system shall …” assume the answer is a system and soon become a "
        "specification of it.",
        "Write what must be true for the people affected, and keep real must-haves under constraints.",
    ),
]

# --- Norsk bokmål ----------------------------------------------------------------------------------

NB_BRAND = (
    "Dette er et merke- eller produktnavn. Når dere navngir et produkt, har dere bestemt svaret før "
    "leverandørene har sett problemet, og alle som kunne nådd samme resultat på en annen måte, faller fra. "
    "Regelverket for offentlige anskaffelser begrenser også henvisninger til merkenavn, og «eller "
    "tilsvarende» gjør ikke et produkt om til et behov."
)
NB_TECHNOLOGY = (
    "Dette navngir en teknologi som svaret. Leverandører som kan nå målet på en annen måte (kanskje "
    "billigere, enklere eller helt uten digitale verktøy), vil lese utfordringen som ikke ment for dem, og "
    "dere går glipp av ideene dere ikke selv tenkte på."
)
NB_SOLUTION = (
    "Dette beskriver løsningen dere ser for dere, ikke problemet. Leverandørene svarer på det dere ber "
    "om: ber dere om et system, får dere tilbud om systemer."
)
NB_DESCRIBING_TODAY = " Beskriver setningen hvordan det er i dag, og ikke hva dere ønsker, kan dere beholde den."

NB_MEETING = (
    "Beskriv hva folk trenger å gjøre sammen, og hvorfor det er vanskelig i dag, f.eks. «Ansatte i "
    "hjemmetjenesten i ulike bydeler kan bli enige om en brukers plan uten å reise.» Må en ny tjeneste "
    "virke sammen med et verktøy dere allerede bruker, skriv det under rammebetingelser."
)
NB_VOICE = (
    "Beskriv situasjonen til personen hjemme, f.eks. «Innbyggere som bor alene, kan be om hjelp eller "
    "selskap når som helst, uten å måtte bruke hendene eller en skjerm.»"
)
NB_DEVICE = (
    "Beskriv hvem som trenger å gjøre hva, og hvor, f.eks. «Hjemmesykepleien kan lese og oppdatere "
    "tiltaksplanen hjemme hos brukeren.» Overlat valget av utstyr til leverandørene."
)
NB_BUSINESS_SYSTEM = (
    "Beskriv arbeidet som går galt i dag, og resultatet dere trenger, f.eks. «Saksbehandlerne ser alle "
    "innbyggerens åpne saker samlet og svarer innen to dager.» List opp systemene en ny tjeneste må "
    "utveksle data med, under rammebetingelser."
)
NB_MESSAGING = (
    "Beskriv hvem dere må nå, og hva de skal kunne gjøre, f.eks. «Foreldre får vite om endringer på "
    "skolen samme dag og kan svare på sitt eget språk.»"
)
NB_REPORTING = (
    "Beskriv beslutningene folk må ta, og hva de trenger å vite for å ta dem, f.eks. «Lederne ser hver uke "
    "hvor lenge innbyggerne venter på hjemmebesøk.»"
)
NB_QUESTIONS = (
    "Beskriv spørsmålene folk trenger svar på, og hvor raskt, f.eks. «Innbyggerne får riktig svar om "
    "avfallshenting når som helst, i et klart språk.»"
)
NB_APP_SUGGESTION = (
    "Beskriv hva folk skal kunne gjøre, og hva som skal bli annerledes for dem, f.eks. i stedet for «en app "
    "for å booke idrettshaller»: «idrettslag finner og booker en ledig hall på få minutter, og hallene står "
    "sjeldnere tomme»."
)
NB_MEANS = (
    "Å kreve et bestemt middel låser løsningen. Ekte krav (lover, standarder, systemer en tjeneste må "
    "kobles til) hører hjemme under rammebetingelser, med begrunnelsen."
)
NB_MEANS_SUGGESTION = (
    "Skriv kravet som ligger bak, f.eks. i stedet for «skal benytte BankID»: «innbyggerne må "
    "identifiseres på det nivået loven krever for helseopplysninger»."
)
NB_SPEC = (
    "Krav skrevet som «løsningen skal …» eller «systemet skal …» forutsetter at svaret er én løsning eller "
    "ett system, og blir fort en kravspesifikasjon."
)
NB_SPEC_SUGGESTION = (
    "Skriv hva som må være sant for dem det gjelder, f.eks. «innbyggerne får svar samme dag» i stedet for "
    "«systemet skal sende en SMS»."
)

NB = [
    (BRAND, "Microsoft Teams", NB_BRAND, NB_MEETING),
    (BRAND, "Microsoft 365", NB_BRAND, NB_MEETING),
    (BRAND, "Alexa", NB_BRAND, NB_VOICE),
    (BRAND, "Google Home", NB_BRAND, NB_VOICE),
    (BRAND, "iPad*", NB_BRAND, NB_DEVICE),
    (BRAND, "iPhone*", NB_BRAND, NB_DEVICE),
    (BRAND, "Salesforce", NB_BRAND, NB_BUSINESS_SYSTEM),
    (BRAND, "SAP", NB_BRAND, NB_BUSINESS_SYSTEM),
    (
        BRAND,
        "Excel",
        NB_BRAND + NB_DESCRIBING_TODAY,
        "Beskriv informasjonsproblemet, f.eks. «Planleggerne bruker to dager i måneden på å slå sammen tall "
        "for hånd, og tallene er ofte feil.»",
    ),
    (BRAND, "WhatsApp", NB_BRAND, NB_MESSAGING),
    (BRAND, "Facebook", NB_BRAND, NB_MESSAGING),
    (BRAND, "Power BI", NB_BRAND, NB_REPORTING),
    (BRAND, "ChatGPT", NB_BRAND, NB_QUESTIONS),
    (
        BRAND,
        "Vipps*",
        NB_BRAND,
        "Beskriv hva innbyggerne skal kunne gjøre, f.eks. «Innbyggerne kan betale for parkering uten "
        "kontanter og uten å stå i kø.»",
    ),
    (TECHNOLOGY, "app", NB_TECHNOLOGY + NB_DESCRIBING_TODAY, NB_APP_SUGGESTION),
    (TECHNOLOGY, "appen", NB_TECHNOLOGY + NB_DESCRIBING_TODAY, NB_APP_SUGGESTION),
    (TECHNOLOGY, "apper", NB_TECHNOLOGY + NB_DESCRIBING_TODAY, NB_APP_SUGGESTION),
    (TECHNOLOGY, "appene", NB_TECHNOLOGY + NB_DESCRIBING_TODAY, NB_APP_SUGGESTION),
    (
        TECHNOLOGY,
        "mobilapp*",
        NB_TECHNOLOGY,
        "Beskriv hvor folk er, og hva de trenger å gjøre der, f.eks. «innbyggerne kan melde fra om en "
        "ødelagt gatelykt når de ser den, og får vite når den blir reparert».",
    ),
    (
        TECHNOLOGY,
        "plattform*",
        NB_TECHNOLOGY,
        "Si hvem som trenger å møtes, dele eller finne hva, f.eks. i stedet for «en plattform for "
        "frivillige»: «de som vil være frivillige, finner en oppgave i nærheten innen en uke».",
    ),
    (
        TECHNOLOGY,
        "portal*",
        NB_TECHNOLOGY,
        "Beskriv hva folk kommer for å finne, og hva de skal kunne gjøre, f.eks. «søkerne vet til enhver tid "
        "hvor langt byggesaken deres har kommet».",
    ),
    (
        TECHNOLOGY,
        "sensor*",
        NB_TECHNOLOGY + " Å måle er et middel; det som teller, er hva dere får vite og gjør med det.",
        "Beskriv hva dere trenger å vite, hvor raskt, og hva dere skal gjøre med det, f.eks. i stedet for "
        "«sensorer i leilighetene»: «personalet får vite innen få minutter når en beboer har falt».",
    ),
    (
        TECHNOLOGY,
        "chatbot*",
        NB_TECHNOLOGY,
        "Beskriv spørsmålene folk trenger svar på, og hvor raskt, f.eks. «innbyggerne får riktig svar om "
        "ytelsene sine utenom kontortid».",
    ),
    (
        TECHNOLOGY,
        "chatbott*",
        NB_TECHNOLOGY,
        "Beskriv spørsmålene folk trenger svar på, og hvor raskt.",
    ),
    (
        TECHNOLOGY,
        "blokkjede*",
        NB_TECHNOLOGY,
        "Beskriv tillitsproblemet, f.eks. «kjøpere av gjenvunnet materiale kan sjekke hvor et parti kommer "
        "fra, og ingen kan endre opplysningene i ettertid».",
    ),
    (
        TECHNOLOGY,
        "kunstig intelligens",
        NB_TECHNOLOGY,
        "Beskriv oppgaven som i dag er for treg, for dyr eller gir for mange feil, f.eks. «saksbehandlerne "
        "bruker halve tiden på å sortere innkommende post, og hastesaker blir liggende».",
    ),
    (
        TECHNOLOGY,
        "KI",
        NB_TECHNOLOGY,
        "Beskriv oppgaven som i dag er for treg, for dyr eller gir for mange feil, og resultatet dere "
        "trenger.",
    ),
    (
        TECHNOLOGY,
        "AI",
        NB_TECHNOLOGY,
        "Beskriv oppgaven som i dag er for treg, for dyr eller gir for mange feil, og resultatet dere "
        "trenger.",
    ),
    (
        TECHNOLOGY,
        "maskinlæring",
        NB_TECHNOLOGY,
        "Beskriv hva dere trenger å forutsi, finne eller avgjøre, og hvor godt svaret må være, f.eks. «vi "
        "vet en uke i forveien hvilke veier som må strøs».",
    ),
    (
        TECHNOLOGY,
        "drone*",
        NB_TECHNOLOGY,
        "Beskriv hva som må ses, nås eller leveres, f.eks. «inspektørene kjenner tilstanden til hver bro "
        "hvert år uten å stenge veien».",
    ),
    (
        TECHNOLOGY,
        "robot*",
        NB_TECHNOLOGY,
        "Beskriv oppgaven og hvem den tynger i dag, f.eks. «pleierne bruker en time per vakt på å hente "
        "utstyr i stedet for å være hos beboerne».",
    ),
    (
        TECHNOLOGY,
        "RFID",
        NB_TECHNOLOGY,
        "Beskriv hva som må finnes eller spores, og hvorfor, f.eks. «bibliotekarene vet hvor hver bok er "
        "uten å telle for hånd».",
    ),
    (
        TECHNOLOGY,
        "IoT",
        NB_TECHNOLOGY,
        "Beskriv hva dere trenger å vite om den fysiske verden, hvor raskt, og hva dere skal gjøre med det.",
    ),
    (
        TECHNOLOGY,
        "tingenes internett",
        NB_TECHNOLOGY,
        "Beskriv hva dere trenger å vite om den fysiske verden, hvor raskt, og hva dere skal gjøre med det.",
    ),
    (
        TECHNOLOGY,
        "dashbord*",
        NB_TECHNOLOGY,
        "Beskriv beslutningene folk må ta, og hva de trenger å vite for å ta dem, f.eks. «vaktlederen vet "
        "hver morgen hvilke skoler som mangler vikar».",
    ),
    (
        TECHNOLOGY,
        "dashboard*",
        NB_TECHNOLOGY,
        "Beskriv beslutningene folk må ta, og hva de trenger å vite for å ta dem.",
    ),
    (
        TECHNOLOGY,
        "nettbrett*",
        NB_TECHNOLOGY,
        "Beskriv hvem som trenger å gjøre hva, og hvor, f.eks. «beboere med demens kan se og snakke med "
        "familien uten hjelp». Overlat valget av utstyr til leverandørene.",
    ),
    (
        TECHNOLOGY,
        "programvare*",
        NB_TECHNOLOGY + NB_DESCRIBING_TODAY,
        "Beskriv arbeidet eller tjenesten som skal bli bedre, f.eks. «skolematen planlegges slik at mindre "
        "mat kastes». Programvare kan være en del av svaret, eller ikke.",
    ),
    (
        TECHNOLOGY,
        "smartklokke*",
        NB_TECHNOLOGY,
        "Beskriv situasjonen til den som skal bære den, f.eks. «personer med demens kan gå tur alene, og de "
        "pårørende vet at de er trygge».",
    ),
    (
        TECHNOLOGY,
        "trygghetsalarm*",
        NB_TECHNOLOGY + NB_DESCRIBING_TODAY,
        "Beskriv hva som skal bli tryggere, og for hvem, f.eks. «eldre som bor alene, får hjelp innen 15 "
        "minutter når noe skjer, også når de er ute».",
    ),
    (
        TECHNOLOGY,
        "digital tvilling*",
        NB_TECHNOLOGY,
        "Beskriv beslutningene en modell av byen skal hjelpe med, f.eks. «planleggerne ser hvordan en ny vei "
        "endrer støy og trafikk før den bygges».",
    ),
    (
        TECHNOLOGY,
        "virtuell virkelighet",
        NB_TECHNOLOGY,
        "Beskriv hva folk skal lære eller oppleve, f.eks. «nyansatte øver på sjeldne nødsituasjoner før de "
        "møter en».",
    ),
    (
        TECHNOLOGY,
        "GPS",
        NB_TECHNOLOGY,
        "Beskriv hva som må være kjent om hvor noen eller noe er, og hvem som trenger å vite det.",
    ),
    (
        PHRASE,
        "vi ønsker et system som",
        NB_SOLUTION,
        "Ta utgangspunkt i dem det gjelder: «I dag skjer … med …; vi ønsker at … endres», f.eks. «I dag venter "
        "innbyggerne tre uker på svar; vi ønsker at de får svar innen en uke.»",
    ),
    (
        PHRASE,
        "vi ønsker en løsning som",
        NB_SOLUTION,
        "Ta utgangspunkt i dem det gjelder: «I dag skjer … med …; vi ønsker at … endres».",
    ),
    (
        PHRASE,
        "vi trenger et system som",
        NB_SOLUTION,
        "Si hva som må endres for dem det gjelder, og hvordan dere vil se at det har skjedd, f.eks. «færre "
        "enn én av ti innbyggere må ringe oss to ganger om det samme».",
    ),
    (
        PHRASE,
        "vi trenger en løsning som",
        NB_SOLUTION,
        "Si hva som må endres for dem det gjelder, og hvordan dere vil se at det har skjedd, f.eks. «vi "
        "trenger at færre over 75 år føler seg ensomme».",
    ),
    (
        PHRASE,
        "vi ønsker å kjøpe",
        NB_SOLUTION + " En innovativ anskaffelse kjøper et resultat, ikke et kjent produkt.",
        "Si hva dere vil oppnå, og la leverandørene foreslå hva dere bør kjøpe.",
    ),
    (
        PHRASE,
        "levere og installere",
        "Dette er språket for å kjøpe et kjent produkt. En innovativ anskaffelse spør leverandørene hvordan "
        "de vil nå et mål; levering og installasjon følger av svaret.",
        "Si hva som skal være annerledes etter kontrakten, f.eks. «skolen bruker halvparten så mye energi "
        "som i dag, og klasserommene er like varme».",
    ),
    (
        PHRASE,
        "levering og installasjon",
        "Dette er språket for å kjøpe et kjent produkt. En innovativ anskaffelse spør leverandørene hvordan "
        "de vil nå et mål; levering og installasjon følger av svaret.",
        "Si hva som skal være annerledes etter kontrakten, og la leverandørene foreslå hva som skal leveres.",
    ),
    (PHRASE, "skal benytte", NB_MEANS, NB_MEANS_SUGGESTION),
    (PHRASE, "skal bruke", NB_MEANS + NB_DESCRIBING_TODAY, NB_MEANS_SUGGESTION),
    (PHRASE, "må bruke", NB_MEANS + NB_DESCRIBING_TODAY, NB_MEANS_SUGGESTION),
    (PHRASE, "må benytte", NB_MEANS, NB_MEANS_SUGGESTION),
    (
        PHRASE,
        "basert på",
        "«Basert på» binder ofte svaret til en teknologi («en tjeneste basert på sensorer»). Viser det til "
        "kunnskap eller fakta («basert på spørreundersøkelsen vår»), kan dere beholde det.",
        "Si hva teknologien skulle oppnå, f.eks. i stedet for «en tjeneste basert på sensorer»: "
        "«personalet får vite innen få minutter når en beboer har falt».",
    ),
    (
        PHRASE,
        "utvikle en app",
        "Dette bestiller et bestemt produkt. Behovet kan kanskje dekkes uten en ny app, eller ved å endre "
        "hvordan tjenesten virker.",
        "Beskriv hva folk skal kunne gjøre, og hva som skal bli annerledes for dem, og la leverandørene "
        "foreslå hvordan.",
    ),
    (
        PHRASE,
        "utvikle en plattform",
        "Dette bestiller et bestemt produkt. Behovet kan kanskje dekkes uten en ny plattform.",
        "Si hvem som trenger å møtes, dele eller finne hva, og hva som skal bli annerledes når de gjør det.",
    ),
    (PHRASE, "løsningen skal", NB_SPEC, NB_SPEC_SUGGESTION),
    (PHRASE, "løsningen må", NB_SPEC, NB_SPEC_SUGGESTION),
    (PHRASE, "systemet skal", NB_SPEC, NB_SPEC_SUGGESTION),
    (PHRASE, "systemet må", NB_SPEC, NB_SPEC_SUGGESTION),
]

RULES = {"en": EN, "nb": NB}


def load(apps, schema_editor):
    CoachRule = apps.get_model("challenges", "CoachRule")
    CoachRule.objects.bulk_create(
        [
            CoachRule(
                language=language,
                category=category,
                phrase=phrase,
                explanation=explanation,
                suggestion=suggestion,
            )
            for language, rules in RULES.items()
            for category, phrase, explanation, suggestion in rules
        ],
        ignore_conflicts=True,
    )


def unload(apps, schema_editor):
    CoachRule = apps.get_model("challenges", "CoachRule")
    for language, rules in RULES.items():
        CoachRule.objects.filter(language=language, phrase__in=[rule[1] for rule in rules]).delete()


class Migration(migrations.Migration):
    dependencies = [("challenges", "0002_reference_data")]

    operations = [migrations.RunPython(load, unload)]
