"""Word lists used by extraction: words that are never treated as drug names.

All entries are in `normalise()` form (lowercase, no accents, no apostrophes).

* ``STOPWORDS`` - English function words, common verbs/nouns/adjectives and the clinical
  vocabulary of questions and medication lists (doses, units, routes, forms, frequencies,
  symptoms, body parts). A token in this set is never fuzzy-matched, never exact-matched
  on its own, and never reported as an unresolved drug-like mention.
* ``BLOCK_EXACT`` - STOPWORDS plus English words that exist as (noisy) KB name variants
  but must not be taken as a drug when they stand alone in text ("lead", "water").
"""

from __future__ import annotations

import re

__all__ = [
    "ANALYTES",
    "ANALYTE_AFTER",
    "ANALYTE_BEFORE",
    "ANALYTE_VERBS",
    "BLOCK_EXACT",
    "BRAND_RANK",
    "DOSE_TOKEN",
    "DRUG_SUFFIXES",
    "FREQUENCIES",
    "NON_DRUG_SUFFIXES",
    "STOPWORDS",
    "SUBJECT_PRONOUNS",
    "UNITS",
    "WELL_KNOWN_BRANDS",
    "is_stopword",
]

_FUNCTION = """
a about above after again against all almost alone along already also although always am
among an and another any anybody anyone anything anyway anywhere are around as at away
be became because become been before being below besides best better between both but by
can cannot could did do does doing done down during each either else enough especially
even ever every everyone everything except few for from further get gets getting give
given go goes going gone got had has have having he her here hers herself him himself his
how however i if in instead into is it its itself just least less like likely lot lots
many may maybe me might mine more most much must my myself near neither never no nobody
none nor not nothing now of off often on once one only onto or other others otherwise our
ours ourselves out over own per perhaps please quite rather really same several shall she
should since so some somebody someone something sometimes soon still such than that the
their theirs them themselves then there therefore these they thing things this those
though through thus to together too toward towards under unless until up upon us usually
very via was we well were what whatever when whenever where whether which while who whom
whose why will with within without would yet you your yours yourself yourselves
im ive id dont doesnt didnt isnt arent wasnt werent cant couldnt wouldnt shouldnt wont
thats whats theres lets youre theyre hes shes its
yes ok okay hi hello hey thanks thank dear regards sir madam
"""

_COMMON = """
able accept accepted according account across act action active actually add added
addition additional address advice advise advised affect affected affects afraid age ago
agree ahead allow allowed alright alternative amount answer answers anymore apart appear
appears apply appointment approach appropriate area ask asked asking assess assessment
associated attention attempt available avoid avoided avoiding aware bad based basic
basis bear became bed begin beginning behind believe big bit body book bottle bottles box
break bring brought build busy buy call called calling came care careful carefully carry
case cases cause caused causes causing certain chance change changed changes check checked
checking choice choose clear clearly close combination combine combined combining come
comes coming common commonly complete completely concern concerned concerns condition
conditions confirm consider considered contact contain contains continue continued
control correct cost could course cover current currently cut daily damage danger
dangerous date day days dead deal decide decided decrease decreased decreasing definitely
describe despite detail details develop did die different difficult direct directly
discuss discussed doctor doctors dose doses double down drink drinking drinks drive drop
due early easy eat eating effect effective effects eight either end enough entire even
evening event every exactly example except expect experience explain extra eye eyes face
fact fail fall family far fast feel feeling feels fell felt few fill find fine finish
first five follow followed following food foods form found four free frequent friend
front full fully further future gave general generally given giving glass good great
group guess half hand handle happen happened happens happy hard having head health healthy
hear heard help helped helpful helps high higher history hit hold home hope hospital hour
hours house however huge idea important improve include included includes including
increase increased increases increasing indeed info information instead interact
interaction interactions interested issue issues item job keep keeping kept kind know
known large last late later learn least leave left less let level levels life light
likely limit line list listed little live long longer look looking looks lose loss lost
love low lower made main mainly major make makes making manage management many matter
mean means meanwhile measure medical medicine medicines medication medications meds
meet mention mentioned mild minor minute minutes miss missed mix mixed mixing moderate
moment month months morning move moved much name named names nearly need needed needs
new next nice night nine none normal normally note noted notes number occasionally offer
old older once open option options order original outside overall pack page paid part
particular past patient patients pay people perfectly period person pharmacist pharmacy
phone pick place plan planning plus point possible possibly potential prefer prescribe
prescribed prescription present pretty prevent previous previously probably problem
problems provide provided put question questions quick quickly raise range rate reach
read ready real reason reasons receive received recent recently recommend recommended
record reduce reduced refill regular regularly related relief remain remember report
reported reports request require required response rest result results return review
right risk risks risky room routine run safe safely safer safety said same save saw say
says schedule second see seem seems seen sent serious seriously set seven severe shift
short show side sign signs similar simple since single situation six size small someone
soon sort speak specific start started starting state stay step stop stopped stopping
story strong study suggest suggested supply support suppose supposed sure switch
switched system take taken takes taking talk tell ten tend term test tested testing
tests than think third three throw time times today told tomorrow took total treat
treated treating treatment tried true try trying turn twice two type types understand
unit unknown unsure use used useful uses using usual value various version wait want
wanted wants warn warned warning watch way ways week weekend weekly weeks weight went
whole wife husband son daughter mother father child children baby kid kids wish word work
working works worried worry worse worst write written wrong year years yesterday young
choice program programs equal install process coverage central expanded
enables enabler proposal creator intelligence succeeds operand vitamins
monitor monitoring impact capture quantum android pointer milestone
success successful successor trace tracer tracker price artist buffer buffers parent parents
extract activate efficient compound depend vertical press relax relaxed american northern
performs perform performed slice selector precede precedes preceded special standard
generics indicator indicators version content contents record records source sources
mom dad brother sister grandmother grandfather friend friends partner boyfriend girlfriend
mr mrs ms dr md rn np pa
"""

_CLINICAL = """
mg mcg ug µg g gm gram grams kg ml mls l liter litre liters litres dl iu units unit meq
mmol mol percent pct cc oz drop drops puff puffs spray sprays patch patches
tab tabs tablet tablets cap caps capsule capsules pill pills caplet caplets softgel
softgels lozenge liquid solution suspension syrup elixir injection injections injectable
infusion cream ointment gel lotion powder inhaler nebulizer vial ampoule suppository
suppositories chewable extended release delayed sustained immediate er xr xl sr cr dr ir
la od ec
po iv im sc sq subq sl pr top inh neb topical oral orally intravenous intramuscular
subcutaneous sublingual rectal rectally vaginal nasal ophthalmic otic transdermal
bid tid qid qd qhs hs prn qam qpm qod qwk qw q4h q6h q8h q12h q24h ac pc stat ud
daily nightly weekly monthly hourly bedtime morning evening noon night once twice thrice
times day days week weeks hour hours hr hrs min mins morning
as needed needed continue continued discontinue discontinued discontinuing hold held
resume resumed restart restarted start started increase increased decrease decreased
titrate titrated taper tapered wean switch switched dose dosing dosage doses dosed
rx sig qty refills refill disp dispense dispensed generic brand
pain ache aches aching headache headaches migraine migraines fever nausea vomiting
diarrhea diarrhoea constipation cough cold flu infection infections allergy allergies
allergic rash itching itch swelling bleeding bleed bruising dizziness dizzy fatigue
tired weakness anxiety depression depressed insomnia sleep sleeping stress seizure
seizures stroke attack attacks heart blood pressure sugar glucose cholesterol kidney
kidneys liver lung lungs stomach chest skin bone bones joint joints muscle muscles back
neck brain nerve nerves eye ear ears nose throat mouth teeth tooth arm arms leg legs foot
feet knee hip hips shoulder hypertension hypotension diabetes asthma copd arthritis
cancer tumor tumour disease disorder syndrome failure fibrillation afib cad chf ckd gerd
dvt pe uti mi cva tia htn dm hld osa bph
history hx pmh hpi ros exam assessment plan allergies nkda meds medications diagnosis
dx tx sx fx px vitals bp hr rr temp spo2 bmi labs lab inr ptt pt cbc bmp cmp lft lfts
tsh hba1c ecg ekg echo ct mri xray x ray
patient pt yo y o male female man woman men women adult elderly pregnant pregnancy
breastfeeding nursing age aged old years year
admitted admission discharge discharged follow up followup visit clinic presents
presented presenting complains complaint complaints reports denies denied states noted
stable improved improving worsening unchanged controlled uncontrolled chronic acute
mild moderate severe normal abnormal elevated low high positive negative
home current currently previous previously prior new old recent recently
left right bilateral upper lower
doctor doctors physician nurse pharmacist provider gp specialist cardiologist
supplement supplements herbal herb herbs remedy remedies natural
otc over counter counter prescription prescriptions drug drugs medicine medicines
medication medications meds pill pills product products
interact interacts interaction interactions combine combined combination together
safe unsafe ok okay fine danger dangerous risk risks side effect effects
take taking took taken takes use using used uses
prescriber prescribers compendia compendium workup anticoagulant anticoagulants
anticoagulation anticoagulated inducer inducers exacerbation exacerbations orthostasis
contraindicated contraindication contraindications clonus miosis mydriasis pylori zaps
wheeze wheezing recheck rechecked clarif siadh cushing cushings mychart kombucha
prescripteur prescriptrice espacer exteriorise nephro rhumato addicto cardio tabagique
tabagisme gingival pharmaprix dispensacion endoscopia traumatologo traumatologa
ginecologo ginecologa tto
anticoag anticoags susp diuresed diuresis repleted repletion npo rheum chole ferritin
sureclick flextouch pfs odt liquicaps liquicap liquigels liquigel
inhib onco onc wks neti edw tsat soln succ tarry folfox premeds premed dexa carpules carpule
freq faxed lexicomp desaconsejado hemodialisis trisemanal gummies gummy biba verbalized
counselled counseled counselling titration substernal
antidouleur qsp pth jdors ferritine desorientee desoriente denutris denutri gruezi icitte frero
erysipele ethylotest efervescente anmat hta glucometria anticoagulante anticoagulantes
moratones naturista intubado intubada ampolletas wwham decongestant decongestants opd chickenpox
creat lmp thickener analgesia scaphoid palu arvo trancazo epigastric
"""

# Clinical and pharmacy abbreviations that are no medicine (conditions, tests, devices,
# places, schedules, drug classes), as written in notes: never read or reported as a
# drug. DDI is the note writer's drug-drug interaction here, not didanosine (ddI).
_CLINICAL_ABBREVIATIONS = """
aki arf esrd ckd hd pd dka hhs ams loc sob doe cp abd n v nv gi gu ent ob gyn obgyn
msk neuro psych peds geri icu ccu picu nicu pacu ed er or ems ems ltbi tb hiv hcv hbv
pna cap hap uti ssti mrsa vre cdiff rvr svt vt vf pea stemi nstemi acs cabg pci
copd exac osa ohs pah pvd pad hf hfref hfpef cva tia sah ich dvt pe vte htn hld dm dm1
dm2 t1dm t2dm ra sle ibd ibs gerd bph oab esrd hgb hct wbc rbc plt inr ptt aptt bmp cmp
cbc lfts lft egfr gfr bun cr ck cpk trop bnp tsh ft4 a1c hba1c ldl hdl tg uds uda ekg
ecg echo qtc qt cxr ct cta mri ua ucx bcx cpap bipap niv ett ngt picc iv io gtt
gtts drip neb mdi hfa dpi mwf tts ciwa cows pcp pmd ppd dur mar ddi dx tx hx rx sx
abx nsaid nsaids ssri ssris snri snris tca tcas maoi maois ocp ace arb ccb ppi ppis
h2ra ics laba lama saba sama dmard dmards aed aeds benzos benzo opioids opiates
hbp prn pt pts yo yof yom f m hpi ros pmh psh fh sh nkda nka dnr dni fu dc
pdmp tka tha sjs rhabdo troponin trops dosepak dosepack egd prbc prbcs ppx tox
"""

STOPWORDS: frozenset[str] = frozenset(
    w for block in (_FUNCTION, _COMMON, _CLINICAL, _CLINICAL_ABBREVIATIONS) for w in block.split()
)

# Endings of condition, sign and procedure words ("bradycardia", "cellulitis",
# "hematuria", "hyperthermia", "colonoscopy"): no medicine's name ends so, so an unknown
# word with one of them is not reported as an unresolved drug name.
NON_DRUG_SUFFIXES: tuple[str, ...] = (
    "emia", "aemia", "itis", "osis", "algia", "pathy", "ectomy", "otomy", "ostomy",
    "plasty", "scopy", "cardia", "uria", "penia", "thermia", "plegia", "trophy", "rrhea",
    "rrhoea", "kalemia", "natremia", "tension", "tensive", "static", "graphy", "gram",
    "phoretic", "ology", "ologist", "iatrist", "toxicity",
    # French: kaliémie, lombalgie, néphrétique, neuropathiques
    "emie", "algie", "etique", "pathique", "pathiques",
    # plurals and agent nouns: arthralgias, dysesthesias, dyspnea, geriatrician, verbalized
    "algias", "esias", "pnea", "pnoea", "ician", "icians", "ized", "elled",
    # specialists: tabacologue, ginecólogo
    "ologue", "ologues", "ologo", "ologa",
)  # fmt: skip

# Words that exist as KB name variants (mostly UNII / drug-ner noise) but, standing alone
# in free text, are far more likely to be the English word. Together with STOPWORDS they
# are never taken as a drug by extraction. `resolve()` (an explicit mention) is not
# affected. Real interactants that are also English words (alcohol, grapefruit, iron,
# caffeine, potassium, ...) are deliberately in neither list.
BLOCK_EXACT: frozenset[str] = STOPWORDS | frozenset(
    """
    balance lead water air salt oxygen energy focus calm care bright fresh alert
    advance advantage complete prime ultra super smart pure nature life simple
    sun gold silver tar rose
    stent stents combo upset exercise exercises
    thyroid
    gelule gelules interdose cystite plasmatique jprends jprend inhalacion inhalaciones
    recetado recetada desaconseja
    """.split()
)

# Body chemistry that is also sold as a medicine or supplement. Right before a lab or
# condition word, or right after "for" / "serum" / "low", it is a result or a problem,
# not something taken: "my potassium was 3.1", "iron levels came back low", "calcium
# score", "serotonin syndrome", "insulin resistance", "on X for thyroid". Drugs whose
# levels are measured because they are taken (lithium, digoxin, clozapine) are not here.
ANALYTES: frozenset[str] = frozenset(
    """
    sodium potassium calcium magnesium phosphorus phosphate chloride bicarbonate iron
    ferritin zinc copper glucose sugar cholesterol triglycerides serotonin dopamine
    cortisol testosterone estrogen insulin thyroid folate uric acid vitamin d
    creatinine albumin ammonia lactate
    potasio sodio calcio magnesio fosforo hierro glucosa colesterol
    """.split()
) | frozenset({"vitamin d", "vitamin b12", "b12", "uric acid"})
ANALYTE_AFTER: frozenset[str] = frozenset(
    """
    level levels lvl lvls score scores count test tests testing result
    results deficiency deficient insufficiency overload value values panel study
    studies saturation syndrome storm reuptake receptor receptors channel channels
    blocker blockers resistance resistant sensitivity gland nodule nodules disease
    disorder disorders function problem problems issue issues cancer imbalance went
    dropped came check checked nivel niveles alto alta bajo baja taux niveau bas basse
    eleve elevee
    """.split()
)
# ... or before one of these and a number ("sodium was 129", "potassium of 5.2"), with
# at most `ANALYTE_GAP` of them or `ANALYTE_FILLERS` in between ("el potasio me salio en
# 3,1", "potassium came back at 5.6")
ANALYTE_VERBS: frozenset[str] = frozenset(
    "was were is are of at now esta es etait est came salio salieron sale dio estaba".split()
)
ANALYTE_FILLERS: frozenset[str] = frozenset("me le back en a de un une to up down".split())
ANALYTE_GAP = 3
ANALYTE_BEFORE: frozenset[str] = frozenset(
    "for serum blood urine low high checked check para pour taux nivel niveau".split()
)
# A frequent word that is a drug name, right after one of these, is a verb ("I iron
# clothes"): a subject pronoun is never followed by a medicine's name.
SUBJECT_PRONOUNS: frozenset[str] = frozenset("i we you they he she".split())

UNITS: frozenset[str] = frozenset(
    "mg mcg ug g gm kg ml l dl iu units unit meq mmol percent cc oz drop drops puff puffs "
    "tab tabs tablet tablets cap caps capsule capsules".split()
)

FREQUENCIES: frozenset[str] = frozenset(
    "bid tid qid qd qhs hs prn qam qpm qod daily nightly weekly od bd tds qds".split()
)

# A dose-like token: "500", "500mg", "0.5", "20mg/day", "1x", "q8h", "2.5mg", "10ml".
DOSE_TOKEN = re.compile(r"^(?:q\d+h|\d+(?:[.,]\d+)?[a-zµ/%]*|x\d+)$", re.IGNORECASE)

# Suffixes typical of INN drug names (used only to decide whether an unresolved token in a
# medication list "looks like" a drug name worth reporting with suggestions).
DRUG_SUFFIXES: tuple[str, ...] = (
    "azole", "mab", "nib", "pril", "sartan", "olol", "statin", "cillin", "mycin", "micin",
    "cycline", "floxacin", "oxacin", "vir", "dipine", "pine", "pam", "lam", "zepam",
    "tide", "parin", "xaban", "gatran", "triptan", "profen", "coxib", "setron", "prazole",
    "tidine", "afil", "dronate", "glitazone", "gliptin", "gliflozin", "lukast", "terol",
    "sone", "olone", "caine", "barb", "bital", "done", "phine", "codone", "morphone",
    "azepam", "oxetine", "aline", "pramine", "triptyline", "peridol", "apine", "idone",
    "semide", "thiazide", "actone", "arin", "amine", "amide", "ine", "ol", "in",
)  # fmt: skip


#: generic names of medicines that are also frequent words and that no source marks as a
#: clinical drug: "adenosine 6 mg IV" (Adenocard), "opium" (tincture; Lamaline),
#: "belladonna" (belladonna and opium), "kaolin" (kaolin-pectin binds other drugs)
FREQUENT_WORD_DRUGS: frozenset[str] = frozenset({"adenosine", "opium", "belladonna", "kaolin"})


def is_stopword(norm_token: str) -> bool:
    return norm_token in STOPWORDS


# Widely known brand names (US/UK/EU), normalised. Used only to rank `synonyms()`: a brand
# in this list comes before other brands of the same drug (earlier entries first). Not a
# source of names: a brand is listed only if the KB itself has it.
WELL_KNOWN_BRANDS: tuple[str, ...] = tuple(
    """
    coumadin jantoven marevan advil motrin nurofen brufen tylenol panadol calpol zoloft
    lustral lipitor sortis biaxin klacid zocor prozac viagra cialis levitra plavix eliquis
    xarelto pradaxa lovenox crestor pravachol mevacor zetia glucophage januvia jardiance
    farxiga victoza ozempic trulicity lantus humalog novolog synthroid levothyroid eltroxin
    euthyrox lasix norvasc istin zestril prinivil cozaar diovan benicar micardis atacand
    tenormin lopressor toprol coreg inderal cardizem tiazac calan isoptin lanoxin cordarone
    pacerone multaq xanax valium ativan klonopin rivotril restoril ambien stilnox lexapro
    cipralex celexa cipramil paxil seroxat deroxat effexor cymbalta wellbutrin zyban
    remeron elavil tofranil anafranil nardil parnate lithobid seroquel zyprexa risperdal
    abilify haldol clozaril leponex lamictal depakote depakine tegretol trileptal keppra
    dilantin epanutin neurontin lyrica topamax ultram ultracet oxycontin percocet vicodin
    norco dilaudid duragesic actiq suboxone subutex methadose celebrex mobic voltaren
    aleve naprosyn indocin toradol aspro bayer ecotrin disprin nexium prilosec losec
    mopral protonix pantoloc prevacid zantac pepcid tagamet imodium zofran reglan
    flagyl cipro levaquin avelox zithromax diflucan sporanox nizoral lamisil bactrim
    septra augmentin amoxil keflex valtrex zovirax tamiflu rifadin isoniazid
    singulair ventolin proventil flovent advair seretide symbicort spiriva pulmicort
    prednisone deltasone medrol decadron cortef imuran cellcept prograf neoral sandimmune
    rapamune methotrexate trexall arava plaquenil humira enbrel remicade
    zyrtec claritin allegra benadryl phenergan sudafed
    premarin estrace provera prometrium yasmin microgynon
    fosamax actonel boniva evista flomax proscar avodart detrol ditropan
    adderall ritalin concerta strattera aricept namenda sinemet requip mirapex
    gleevec tamoxifen nolvadex arimidex femara xeloda
    """.split()
)
BRAND_RANK: dict[str, int] = {b: i for i, b in enumerate(dict.fromkeys(WELL_KNOWN_BRANDS))}
