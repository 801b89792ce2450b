import { defineRules, type Rule } from './types.ts';

/**
 * Well-known merchants and brands in the regions Wallai serves (US, Canada,
 * Mexico, Dominican Republic, Brazil, Spain).
 *
 * Confidence tiers:
 * - SURE: the brand sells one kind of thing (Netflix, Pemex, Publix).
 * - LIKELY: nearly always one category, with an occasional other use.
 * - MIXED: a general store where the category is a good default only
 *   (Walmart, Costco, convenience stores with fuel); below the default
 *   threshold so a configured AI step gets a say.
 * - ACCOUNT: banks, card issuers and wallets. Their name alone says money
 *   moved between accounts; any generic keyword ("fee", "transfer", "ATM")
 *   outranks them, which is how "CHASE ATM FEE" lands in fees rather than in
 *   debt payoff.
 *
 * Phrases deliberately avoid bare words that are common elsewhere ("light",
 * "oi", "tim", "sat", "metro"): the Brazilian utility Light, the carriers Oi
 * and TIM and Mexico's tax service SAT are listed with the words their
 * descriptors carry next to the name.
 */
const SURE = 0.95;
const LIKELY = 0.9;
const MIXED = 0.78;
const ACCOUNT = 0.6;

export const MERCHANT_RULES: readonly Rule[] = [
  // ── Groceries ──────────────────────────────────────────────────────────
  ...defineRules('merchant', 'groceries', SURE, [
    // US
    'publix', 'winn dixie|winn-dixie', 'kroger', 'safeway', 'albertsons', 'vons', 'pavilions', 'ralphs',
    'fred meyer', 'king soopers', 'harris teeter', 'food lion', 'giant eagle', 'giant food', 'stop & shop',
    'shoprite', 'wegmans', 'h-e-b|heb', 'meijer', 'hy-vee|hyvee', 'aldi', 'lidl', "trader joe's|trader joes",
    'whole foods|wholefds|wfm', 'sprouts farmers|sprouts', 'the fresh market', 'winco foods|winco',
    'food 4 less|food4less', 'save a lot|save-a-lot', 'piggly wiggly', 'ingles markets', 'bi-lo', 'hannaford',
    'price chopper', 'market basket', 'jewel osco|jewel-osco', 'acme markets', "shaw's|shaws", 'star market',
    'tom thumb', 'randalls', 'stater bros', 'smart & final', 'grocery outlet', 'cub foods', 'schnucks',
    'weis markets', 'lowes foods', 'sedanos|sedano s', 'presidente supermarket', 'bravo supermarket',
    'el super', 'vallarta supermarket', 'cardenas markets', 'northgate market', 'fiesta mart', 'food city',
    'instacart', 'amazon fresh', 'fresh thyme', 'natural grocers', 'earth fare', 'key food', 'c-town|ctown',
    'fairway market', 'foodtown', 'gristedes', 'd agostino', 'h mart|hmart', '99 ranch', 'seafood city',
    'patel brothers', 'grocery outlet', 'food bazaar', 'superior grocers', 'la michoacana meat market',
    // Canada
    'loblaws', 'no frills|nofrills', 'real canadian superstore|rcss', 'zehrs', 'fortinos', 'provigo',
    'maxi & cie', 'sobeys', 'foodland', 'freshco', 'food basics', 'save on foods|save-on-foods',
    'thrifty foods', 't&t supermarket', 'farm boy', "longo's|longos", 'your independent grocer',
    'valu-mart', 'metro plus', 'super c', 'iga extra', 'voila by sobeys',
    // Mexico
    'soriana', 'chedraui', 'bodega aurrera', 'superama', 'la comer', 'city market', 'fresko',
    'casa ley', 'calimax', 's-mart', 'alsuper', 'mega soriana', 'smart supermercados', 'merza',
    'super aki', 'ley express', 'farmacias y super', 'comercial mexicana',
    // Dominican Republic
    'supermercados nacional|super nacional', 'jumbo', 'supermercado pola|super pola', 'hipermercados ole|hiper ole',
    'supermercados bravo', 'supermercado la cadena', 'supermercados iberia',
    'supermercados la fuente', 'supermercado zaglul', 'supermercado plaza lama',
    // Brazil
    'pao de acucar|pao acucar|gpa', 'atacadao', 'assai atacadista|assai', 'carrefour', 'sonda supermercados',
    'zaffari', 'savegnago', 'condor super', 'angeloni', 'bretas', 'grupo mateus|mateus supermercados',
    'guanabara', 'prezunic', 'supermercados mundial', 'hortifruti', 'st marche', 'oba hortifruti',
    'muffato', 'gbarbosa', 'comper', 'nordestao', 'makro', 'tenda atacado', 'roldao', 'spani atacadista',
    'supernosso|super nosso', 'epa supermercados', 'dia supermercado', 'minuto pao de acucar',
    'extra hiper|hipermercado extra|mercado extra', 'big bompreco|bompreco', 'super muffato', 'giassi',
    'bistek', 'sams club|sam s club|samsclub|sam s|sams',
    // Spain
    'mercadona', 'alcampo', 'eroski', 'hipercor', 'supercor', 'consum', 'caprabo', 'bonpreu', 'condis',
    'ahorramas', 'froiz', 'gadis', 'masymas', 'hiperdino', 'coviran', 'bm supermercados', 'lupa supermercados',
    'alimerka', 'supersol', 'dia market|supermercados dia', 'carrefour market', 'carrefour express',
    'el corte ingles supermercado', 'familia supermercados', 'sorli', 'mas y mas', 'simply market',
  ]),
  ...defineRules('merchant', 'groceries', LIKELY, [
    'oxxo', 'oxxo tienda', 'tiendas 3b|tiendas tres b', 'tiendas neto', 'extra tienda', 'waldos',
    'pricesmart|price smart', 'bjs wholesale|bj s wholesale', 'dollar general market',
  ]),
  ...defineRules('merchant', 'groceries', MIXED, [
    'walmart|wal-mart|wal mart|wm supercenter|walmart supercenter', 'costco|costco whse|costco wholesale',
    '7-eleven|7 eleven|7-11|seven eleven', 'la sirena|tiendas la sirena|multicentro la sirena',
    'circle k tienda', 'plaza lama',
  ]),

  // ── Dining ────────────────────────────────────────────────────────────
  ...defineRules('merchant', 'dining', SURE, [
    // US / Canada chains
    "mcdonald's|mcdonalds|mc donalds|mcdonald s", 'burger king', "wendy's|wendys", 'taco bell', 'kfc',
    "popeyes|popeye s", 'chick-fil-a|chick fil a|chickfila', 'starbucks', "dunkin|dunkin donuts|dunkin'",
    'tim hortons', 'chipotle', 'panera bread|panera', "domino's|dominos", 'pizza hut', "papa john's|papa johns",
    'little caesars', 'five guys', 'shake shack', 'in-n-out|in n out', 'whataburger', 'sonic drive',
    "arby's|arbys", 'jack in the box', "carl's jr|carls jr", "hardee's|hardees", "culver's|culvers",
    'dairy queen', 'wingstop', 'buffalo wild wings', "applebee's|applebees", "chili's|chilis",
    'olive garden', 'red lobster', 'outback steakhouse|outback', 'texas roadhouse', 'ihop', "denny's|dennys",
    'waffle house', 'cracker barrel', 'red robin', 'cheesecake factory', "p.f. chang's|pf changs", 'panda express',
    'qdoba', "moe's southwest", "jersey mike's|jersey mikes", "jimmy john's|jimmy johns", 'firehouse subs',
    'potbelly', "raising cane's|raising canes", "zaxby's|zaxbys", 'bojangles', 'el pollo loco', 'pollo tropical',
    'pollo campero', "church's chicken|churchs chicken", 'krispy kreme', 'baskin robbins', 'cold stone',
    'dutch bros', "peet's coffee|peets coffee", 'caribou coffee', 'sweetgreen', 'cava', 'noodles & company',
    'bonefish grill', 'longhorn steakhouse', "carrabba's|carrabbas", "ruth's chris", 'tgi fridays|tgif|fridays',
    'hooters', "miller's ale house|millers ale house", 'twin peaks', "bj's restaurant", "marco's pizza",
    'jollibee', 'subway', 'wawa cafe', 'la carreta', "sergio's", 'pollo loco', 'smoothie king', 'tropical smoothie',
    'jamba juice|jamba', 'auntie anne', 'cinnabon', 'wetzel', 'steak n shake', 'white castle', "checkers drive",
    "rally's", 'del taco', 'taco cabana', 'torchys|torchy s', 'habit burger', 'mod pizza', 'blaze pizza',
    "mellow mushroom", 'ruby tuesday', "o'charley's", 'golden corral', 'benihana', 'kona grill',
    'first watch', 'another broken egg', 'le pain quotidien', 'pret a manger', 'au bon pain', 'einstein bros',
    'tropical chicken',
    // Canada
    'a&w', "harvey's|harveys", 'swiss chalet', "mary brown's", 'second cup', 'boston pizza', "east side mario's",
    'the keg', 'earls kitchen', 'cactus club', "moxie's", 'montana s bbq', 'st-hubert|st hubert', 'new york fries',
    'pizza pizza', 'pizza nova', 'freshii', 'booster juice', 'mr sub', 'quesada', "osmow's", 'mucho burrito',
    'skip the dishes|skipthedishes',
    // Delivery apps
    'doordash|door dash', 'uber eats|ubereats|uber *eats', 'grubhub', 'postmates', 'seamless', 'caviar',
    'rappi', 'didi food', 'ifood', 'pedidosya|pedidos ya', 'glovo', 'just eat|justeat', 'deliveroo',
    'aiqfome', 'ze delivery',
    // Mexico
    'vips', 'toks', 'el porton', "italianni's|italiannis", 'la casa de tono', 'el farolito', 'cafe punta del cielo',
    'italian coffee', 'cielito querido', 'el globo', 'wings army', 'beer factory', 'sushi itto', 'el fogoncito',
    'los bisquets obregon|bisquets', 'potzollcalli', 'tacos el guero', 'el tizoncito', 'sanborns cafe',
    'gorditas dona tota|dona tota', 'pollo feliz', 'el pollo pepe', 'carls jr', 'burger king mx', 'starbucks coffee',
    // Dominican Republic
    'pollo victorina', 'adrian tropical', 'barra payan', 'helados bon', 'pizzarelli', 'el meson de la cava',
    'pala pizza', 'jalao', 'sbarro', 'yogen fruz', 'pollos rey', 'chef pepper', 'crusty pizza',
    // Brazil
    "bob's|bobs", "habib's|habibs", 'giraffas', 'spoleto', 'china in box', 'madero', 'coco bambu', 'ragazzo',
    'casa do pao de queijo', 'frans cafe', 'kopenhagen', 'cacau show', 'outback brasil', 'divino fogao',
    'paris 6', 'pizza hut brasil', 'fogo de chao', 'burger king brasil',
    // Spain
    'telepizza', '100 montaditos|cien montaditos', "foster's hollywood|fosters hollywood", 'goiko', 'tgb',
    'rodilla', 'pans & company', 'la surena', 'ginos', 'lizarran', 'museo del jamon', 'vips spain', 'la tagliatella',
    'cerveceria 100 montaditos', 'taco bell spain', 'papizza', 'granier', 'panaria', 'santagloria',
  ]),

  // ── Transport: fuel, ride hailing, transit, tolls, parking, car care ──────
  ...defineRules('merchant', 'transport', SURE, [
    // Fuel, US / Canada
    'shell oil|shell service|shell', 'exxon|exxonmobil', 'mobil', 'chevron', 'texaco', 'bp', 'amoco', 'sunoco',
    'marathon petro|marathon', 'speedway', 'valero', 'citgo', 'phillips 66', 'conoco', 'circle k', 'racetrac',
    'raceway', 'quiktrip|quik trip', 'sheetz', "casey's|caseys", 'kwik trip|kwik star', 'pilot travel|pilot',
    'flying j', "love's travel|loves travel", 'murphy usa|murphy express|murphy oil', 'gulf oil', 'sinclair',
    'arco', 'costco gas', "sam's fuel|sams fuel", 'kroger fuel', 'thorntons', 'cumberland farms', 'maverik',
    'holiday stationstores', 'kum & go', 'getty', 'mapco', "buc-ee's|buc ees|bucees", 'petro-canada|petro canada',
    'esso', 'husky', 'ultramar', 'pioneer gas', 'co-op gas', 'irving oil', 'wawa fuel', 'fuel depot',
    // Fuel, Mexico / DR / Brazil / Spain
    'pemex', 'g500', 'oxxo gas', 'hidrosina', 'repsol', 'total energies|totalenergies|total gas',
    'petro seven|petro 7', 'orsan', 'la gas', 'gas bienestar', 'sunix', 'isla dominicana|isla gas', 'puma energy',
    'next gas', 'uno gas', 'tropigas', 'propagas', 'ipiranga', 'petrobras|br distribuidora|posto br',
    'raizen', 'ale combustiveis', 'cepsa', 'moeve', 'galp', 'petronor', 'campsa', 'ballenoil', 'plenoil',
    'petroprix', 'bonarea', 'avia',
    // Ride hailing and taxis
    'uber|uber trip|uber *trip|ubr', 'lyft', 'curb mobility|curb', 'waymo', 'didi', 'cabify', 'indrive|indriver',
    '99 app|99app|99 taxi|99 pop|99pop', 'bolt', 'free now|freenow', 'apolo taxi', 'easy taxi',
    // Transit
    'mta', 'nyct', 'omny', 'metrocard', 'ventra', 'bart', 'clipper', 'septa', 'wmata', 'marta', 'mbta',
    'trimet', 'metro transit', 'miami dade transit', 'brightline', 'metrorail', 'tri-rail|tri rail', 'presto',
    'opus', 'compass card', 'ttc', 'stm', 'go transit', 'translink', 'metrobus', 'metro cdmx', 'metrobus cdmx',
    'omsa', 'metro de santo domingo', 'teleferico', 'sptrans', 'bilhete unico', 'metro sp',
    'cptm', 'riocard', 'supervia', 'metro rio', 'emt madrid', 'tmb', 'metro de madrid', 'metro bilbao',
    'consorcio transportes', 'tarjeta transporte', 'bicing', 'ecobici', 'citi bike|citibike', 'lime scooter|limebike|lime ride', 'bird scooter|bird rides',
    // Tolls and tags
    'sunpass', 'e-zpass|ezpass', 'epass', 'fastrak', 'txtag', 'ntta', 'peach pass', 'i-pass|ipass',
    'toll by plate', '407 etr', 'iave', 'pase', 'televia', 'capufe', 'paso rapido', 'sem parar', 'conectcar',
    'veloe', 'move mais', 'via-t|via t', 'autopistas', 'abertis', 'audasa', 'aucat', 'central florida expressway',
    'florida turnpike', 'miami dade expressway|mdx',
    // Parking
    'parkmobile|park mobile', 'spothero', 'laz parking', 'sp+ parking|sp plus parking', 'paybyphone|pay by phone', 'impark',
    'parkwhiz', 'empark', 'saba aparcamientos|saba', 'telpark', 'elparking', 'easypark', 'estapar', 'zul digital',
    'indigo parking', 'premium parking', 'ace parking', 'propark', 'green p',
    // Car care, parts and EV charging
    'jiffy lube', 'valvoline', 'firestone', 'goodyear', 'pep boys', 'midas', 'meineke', 'autozone',
    "o'reilly auto|oreilly auto", 'advance auto', 'napa auto', 'discount tire', 'les schwab', 'take 5',
    'mr tire', 'mister car wash', 'tesla supercharger', 'chargepoint', 'electrify america', 'evgo',
    'safelite', 'monro', 'tire kingdom', 'ntb tire', 'christian brothers automotive', 'kal tire',
    'mr lube', 'tesla', 'norauto', 'feu vert', 'midas espana', 'pneustore', 'zipcar',
  ]),
  ...defineRules('merchant', 'transport', MIXED, ['wawa', 'racetrac market']),

  // ── Travel ────────────────────────────────────────────────────────────
  ...defineRules('merchant', 'travel', SURE, [
    // Airlines
    'american airlines|american air|aa.com', 'delta air|delta airlines|delta.com', 'united airlines|united.com',
    'southwest airlines|southwest air|southwes', 'jetblue|jet blue', 'spirit airlines|spirit airl|spirit air',
    'frontier airlines|flyfrontier', 'alaska airlines|alaska air', 'allegiant', 'sun country', 'hawaiian airlines',
    'air canada', 'westjet', 'porter airlines', 'flair airlines', 'aeromexico', 'volaris', 'viva aerobus|vivaaerobus',
    'arajet', 'sky high', 'jetsmart', 'latam', 'gol linhas|voegol|gol transportes', 'azul linhas|voeazul',
    'avianca', 'copa airlines|copa air', 'iberia', 'vueling', 'air europa', 'ryanair', 'easyjet', 'binter',
    'volotea', 'british airways', 'lufthansa', 'air france', 'klm', 'emirates', 'turkish airlines', 'tap air|tap portugal',
    'level airlines', 'air transat', 'caribbean airlines', 'intercaribbean', 'condor',
    // Lodging
    'marriott', 'hilton', 'hyatt', 'ihg', 'holiday inn', 'hampton inn', 'best western', 'sheraton', 'westin',
    'wyndham', 'la quinta', 'motel 6', 'choice hotels', 'comfort inn', 'days inn', 'super 8', 'radisson',
    'melia', 'nh hotel', 'riu', 'barcelo', 'iberostar', 'hard rock hotel', 'ac hotel', 'fiesta americana',
    'city express', 'posadas', 'ibis', 'novotel', 'accor', 'airbnb', 'vrbo', 'homeaway', 'courtyard',
    'residence inn', 'fairfield inn', 'embassy suites', 'doubletree', 'four seasons', 'ritz carlton',
    'loews', 'omni hotels', 'kimpton', 'paradores|parador', 'catalonia hotels', 'h10 hotels', 'eurostars',
    'occidental hotels', 'lopesan', 'bahia principe', 'hotel urbano|hurb',
    // Booking sites and agencies
    'booking.com|booking com', 'expedia', 'hotels.com|hotels com', 'priceline', 'kayak', 'despegar', 'decolar',
    'edreams', 'trivago', 'agoda', 'hopper', 'cvc viagens|cvc', '123milhas', 'maxmilhas', 'logitravel',
    'viajes el corte ingles', 'halcon viajes', 'best day', 'price travel|pricetravel', 'trip.com',
    // Rail, coach and cruises
    'amtrak', 'greyhound', 'flixbus', 'megabus', 'via rail', 'ouigo', 'iryo', 'alsa', 'ado', 'primera plus',
    'etn turistar', 'caribe tours', 'metro tours', 'carnival cruise', 'royal caribbean', 'norwegian cruise',
    'msc cruises', 'disney cruise', 'celebrity cruises', 'princess cruises', 'renfe',
    // Car rental
    'hertz', 'avis', 'enterprise rent|enterprise rent-a-car|enterprise car', 'budget rent|budget car', 'national car',
    'alamo', 'sixt', 'dollar rent', 'thrifty car', 'europcar', 'localiza', 'movida', 'unidas rent|unidas aluguel|unidas locadora', 'turo', 'payless car',
    'fox rent', 'goldcar', 'centauro rent', 'record go', 'okmobility|ok mobility',
  ]),

  // ── Health ────────────────────────────────────────────────────────────
  ...defineRules('merchant', 'health', SURE, [
    'cvs|cvs pharmacy', 'walgreens', 'rite aid', 'duane reade', 'navarro', 'kinney drugs', 'bartell drugs',
    'shoppers drug mart', 'pharmaprix', 'rexall', 'jean coutu', 'london drugs', 'uniprix', 'proxim',
    'familiprix', 'farmacias guadalajara|farmacia guadalajara', 'farmacias del ahorro|farmacia del ahorro',
    'farmacias similares', 'farmacias benavides', 'farmacia san pablo', 'farmacias yza', 'farmacias carol|farmacia carol',
    'los hidalgos', 'gbc farmacia', 'farmacia value', 'drogasil', 'droga raia|drogaraia|raia', 'pague menos',
    'drogaria sao paulo', 'drogarias pacheco', 'panvel', 'onofre', 'drogaria araujo', 'drogaria venancio',
    'quest diagnostics', 'labcorp', 'amedica', 'laboratorio referencia', 'laboratorio amadita|amadita',
    'chopo|laboratorio chopo', 'salud digna', 'fleury', 'dasa', 'delboni', 'hermes pardini', 'lenscrafters',
    'visionworks', "america's best", '1-800 contacts', 'goodrx', 'teladoc', 'one medical',
    'minuteclinic', 'citymd', 'planned parenthood', 'zocdoc', 'quironsalud|quiron', 'hm hospitales', 'vithas',
    'vitaldent', 'dentix', 'sanitas dental', 'farmatodo', 'medicard', 'hospital metropolitano|homs',
    'cedimat', 'plaza de la salud', 'optica los andes', 'opticas gmo', 'devlyn|opticas devlyn',
    'masvision', 'multiopticas', 'general optica', 'alain afflelou', 'carrefour optica',
  ]),

  // ── Insurance ─────────────────────────────────────────────────────────
  ...defineRules('merchant', 'insurance', SURE, [
    'geico', 'progressive ins|progressive', 'state farm', 'allstate', 'liberty mutual', 'farmers ins|farmers insurance',
    'nationwide', 'travelers ins', 'esurance', 'the general', 'root insurance', 'lemonade', 'metlife', 'prudential',
    'aflac', 'northwestern mutual', 'new york life', 'blue cross|bcbs|blue shield', 'aetna', 'cigna', 'humana',
    'unitedhealthcare|united healthcare|uhc', 'kaiser permanente', 'oscar health', 'ambetter', 'citizens property',
    'universal property', 'heritage insurance', 'intact insurance', 'desjardins insurance', 'td insurance',
    'belairdirect', 'sun life', 'manulife', 'canada life', 'gnp seguros|grupo nacional provincial', 'axa',
    'qualitas', 'mapfre', 'seguros monterrey', 'allianz', 'zurich', 'chubb', 'seguros banorte', 'hdi seguros',
    'seguros universal', 'humano seguros|ars humano', 'ars palic', 'ars senasa|senasa', 'ars universal',
    'ars primera', 'ars reservas', 'la colonial seguros', 'seguros reservas', 'mapfre bhd', 'porto seguro',
    'bradesco seguros', 'sulamerica|sul america', 'unimed', 'amil', 'hapvida', 'notredame intermedica',
    'caixa seguradora', 'itau seguros', 'azul seguros', 'tokio marine', 'mutua madrilena', 'linea directa',
    'sanitas', 'adeslas', 'asisa', 'dkv', 'generali', 'santalucia', 'ocaso', 'verti', 'direct seguros',
    'hiscox', 'usaa ins', 'bupa',
  ]),

  // ── Utilities: power, water, gas, telecom, internet ────────────────────
  ...defineRules('merchant', 'utilities', SURE, [
    // US
    'fpl|florida power|florida power & light', 'duke energy', 'teco|tampa electric', 'con edison|coned',
    'pg&e|pacific gas', 'southern california edison|sce', 'sdg&e|sdge', 'dominion energy', 'georgia power',
    'xcel energy', 'entergy', 'ameren', 'comed', 'pseg', 'national grid', 'eversource', 'dte energy',
    'consumers energy', 'aps electric', 'srp', 'txu energy', 'reliant energy', 'peoples gas', 'spire',
    'atmos energy', 'socalgas|socal gas', 'nicor gas', 'wasd|miami dade water', 'water & sewer',
    "at&t|att|att bill", 'verizon|vzwrlss|verizon wireless', 't-mobile|tmobile', 'sprint', 'metro by t-mobile|metropcs',
    'cricket wireless', 'boost mobile', 'mint mobile', 'visible', 'us cellular', 'tracfone', 'straight talk',
    'google fi', 'comcast', 'xfinity', 'spectrum', 'charter comm', 'cox comm', 'optimum', 'altice',
    'frontier comm', 'centurylink', 'lumen', 'windstream', 'hughesnet', 'starlink', 'dish network', 'directv',
    'boss revolution', 'teco peoples gas', 'oncor', 'pepco', 'bge', 'clark public utilities',
    // Canada
    'rogers', 'bell canada|bell mobility', 'telus', 'shaw cable|shaw comm', 'videotron', 'fido', 'koodo',
    'virgin plus|virgin mobile', 'freedom mobile', 'public mobile', 'chatr', 'hydro one', 'toronto hydro',
    'bc hydro', 'hydro quebec|hydro-quebec', 'hydro ottawa', 'enbridge', 'fortisbc', 'atco', 'epcor',
    'enmax', 'alectra', 'sasktel', 'saskpower', 'manitoba hydro', 'nova scotia power', 'eastlink', 'cogeco',
    // Mexico
    'cfe|comision federal de electricidad', 'telmex', 'telcel', 'at&t mexico', 'movistar', 'izzi', 'totalplay',
    'megacable', 'sky mexico', 'dish mexico', 'naturgy', 'gas natural', 'sacmex', 'siapa', 'agua y drenaje',
    'bait', 'unefon', 'gas lp', 'gas express nieto', 'conagua',
    // Dominican Republic
    'edesur', 'edenorte', 'edeeste', 'claro', 'altice dominicana', 'viva dominicana', 'wind telecom', 'caasd',
    'coraasan', 'coraavega', 'tricom', 'aster',
    // Brazil
    'enel', 'cemig', 'copel', 'cpfl', 'light sesa|light servicos|light s a', 'celesc', 'coelba', 'neoenergia',
    'equatorial energia', 'energisa', 'elektro', 'sabesp', 'cedae', 'copasa', 'sanepar', 'embasa', 'compesa',
    'comgas', 'vivo', 'tim celular|tim s a|tim brasil|tim sa', 'oi fixo|oi movel|oi fibra|oi s a',
    'net servicos|claro net', 'sky brasil', 'nextel', 'algar telecom', 'brisanet', 'aguas do rio', 'corsan',
    // Spain
    'iberdrola', 'endesa', 'repsol luz|repsol electricidad', 'holaluz', 'edp comercializadora|edp energia',
    'vodafone', 'orange', 'yoigo', 'masmovil', 'jazztel', 'pepephone', 'digi spain|digi mobil', 'simyo',
    'lowi', 'o2', 'canal de isabel ii|canal isabel', 'aguas de barcelona|agbar', 'emasesa', 'aigues de barcelona',
    'totalenergies luz', 'som energia', 'aguas de valencia', 'emaya', 'canal de isabel',
  ]),

  // ── Subscriptions ─────────────────────────────────────────────────────
  ...defineRules('merchant', 'subscriptions', SURE, [
    'netflix', 'spotify', 'hulu', 'disney plus|disneyplus', 'hbo max|hbomax|max.com', 'paramount+|paramount plus|paramountplus',
    'peacock', 'apple.com/bill|apple com bill|itunes|apple music|apple tv|icloud', 'youtube premium|youtubepremium|youtube tv|google youtube|youtube music',
    'amazon prime|prime video|primevideo|amzn prime|amazon digital', 'audible', 'kindle unlimited', 'microsoft 365|office 365|msft',
    'xbox game pass|xbox live', 'playstation plus|ps plus', 'nintendo online', 'adobe', 'dropbox',
    'google storage|google one|google workspace|gsuite', 'openai|chatgpt', 'anthropic|claude.ai', 'canva', 'notion',
    'github', 'zoom.us|zoom us|zoom video', 'slack', '1password', 'lastpass', 'nordvpn', 'expressvpn', 'patreon',
    'substack', 'new york times|nytimes|nyt', 'wsj|wall street journal', 'washington post', 'medium.com',
    'duolingo', 'headspace', 'calm.com|calm app', 'crunchyroll', 'starz', 'showtime', 'espn+|espn plus', 'dazn',
    'fubo', 'sling tv|sling.com', 'philo', 'siriusxm|sirius xm', 'pandora', 'deezer', 'tidal', 'globoplay',
    'telecine', 'claro video', 'blim', 'vix', 'star plus|starplus', 'crave', 'britbox', 'mubi', 'discovery plus',
    'amazon music', 'linkedin premium', 'tinder', 'bumble', 'hinge', 'match.com', 'grammarly', 'evernote',
    'skype', 'icloud storage', 'microsoft xbox', 'apple one', 'movistar plus', 'filmin', 'atresplayer',
    'paramount', 'max streaming', 'uol', 'globo.com', 'amazon kids', 'scribd', 'masterclass', 'brilliant',
  ]),

  // ── Entertainment ─────────────────────────────────────────────────────
  ...defineRules('merchant', 'entertainment', SURE, [
    'amc theatres|amc theaters|amc', 'regal cinemas|regal', 'cinemark', 'cineplex', 'cinepolis', 'cinemex',
    'cinesa', 'yelmo', 'kinepolis', 'caribbean cinemas', 'palacio del cine', 'ticketmaster', 'livenation|live nation',
    'stubhub', 'seatgeek', 'eventbrite', 'axs', 'vivid seats', 'fandango', 'steam|steampowered|steam games',
    'playstation network|sony playstation|playstation', 'xbox', 'nintendo', 'epic games', 'roblox', 'riot games',
    'blizzard', 'twitch', 'walt disney world|disney world|wdw|disneyland|disney resort', 'universal studios|universal orlando',
    'seaworld', 'busch gardens', 'six flags', 'cedar point', 'legoland', 'topgolf', "dave & buster's|dave busters",
    'chuck e cheese', 'main event', 'bowlero', 'sky zone', 'ingresso.com|ingresso com', 'sympla', 'eventim',
    'ticketek', 'boletia', 'superboletos', 'uepa tickets', 'ticketplus', 'kidzania', 'xcaret', 'parque warner',
    'port aventura|portaventura', 'beto carrero', 'hopi hari', 'cinemark brasil', 'uci cinemas', 'kinoplex',
    'cinesystem', 'cines renoir', 'ocine', 'landmark cinemas', 'imax',
  ]),

  // ── Shopping ──────────────────────────────────────────────────────────
  ...defineRules('merchant', 'shopping', SURE, [
    // Marketplaces and online
    'amazon|amzn|amazon.com|amzn mktp|amazon mktplace|amazon marketplace', 'ebay', 'etsy', 'shein', 'temu',
    'aliexpress', 'wish.com', 'mercado libre|mercadolibre|mercadolivre|mercado livre', 'shopee', 'magalu|magazine luiza',
    'americanas', 'casas bahia', 'ponto frio', 'submarino', 'netshoes', 'centauro', 'kabum', 'wayfair',
    // Department, discount and apparel
    'target', 'best buy|bestbuy', "macy's|macys", 'nordstrom', "kohl's|kohls", 'jcpenney|jc penney',
    'tj maxx|tjmaxx|t j maxx', 'marshalls', 'homegoods', 'ross stores|ross dress', 'burlington', 'old navy',
    'gap', 'banana republic', 'h&m', 'zara', 'uniqlo', 'forever 21', 'primark', 'nike', 'adidas', 'foot locker',
    'dsw', 'famous footwear', 'journeys', "dick's sporting|dicks sporting", 'academy sports', 'bass pro',
    "cabela's|cabelas", 'rei', 'apple store', 'microsoft store', 'gamestop', 'michaels', 'hobby lobby',
    'joann', 'party city', 'dollar tree', 'dollar general', 'family dollar', 'five below', 'big lots', "ollie's",
    'bed bath', 'tuesday morning', 'saks', 'neiman marcus', 'bloomingdales', 'dillards', 'belk',
    'american eagle', 'abercrombie', 'hollister', 'victorias secret|victoria s secret', 'bath & body works',
    'claires', 'pandora jewelry', 'kay jewelers', 'zales', 'guess', 'levis', 'carters', 'childrens place',
    'skechers', 'under armour', 'lululemon', 'athleta', 'puma', 'new balance', 'crocs', 'b&h photo', 'newegg',
    'micro center', 'apple.com', 'samsung', 'dell', 'hp store', 'lenovo', 'container store', 'world market',
    // Canada
    "canadian tire", "hudson's bay|hudsons bay|the bay", 'winners', 'homesense', 'simons', 'aritzia',
    'sport chek', "mark's|marks work", 'giant tiger', 'dollarama', 'indigo', 'chapters', 'staples canada',
    'london drugs', 'the source', 'bureau en gros',
    // Mexico
    'liverpool', 'palacio de hierro', 'sears', 'coppel', 'elektra', 'suburbia', 'sanborns', 'steren', 'famsa',
    'c&a', 'price shoes', 'woolworth', 'waldos mart', 'miniso', 'promoda',
    // DR
    'casa cuesta', 'jumbo tienda', 'multimoda', 'tiendas el gallo', 'payless shoesource|payless', 'la opera',
    'corripio',
    // Brazil
    'renner', 'riachuelo', 'marisa', 'hering', 'pernambucanas', 'fast shop', 'kalunga', 'lojas americanas',
    'havaianas', 'arezzo', 'centauro esporte', 'decathlon', 'shoptime', 'extra.com', 'havan', 'camicado',
    // Spain
    'el corte ingles', 'fnac', 'mediamarkt|media markt', 'pccomponentes', 'mango', 'pull&bear|pull and bear',
    'bershka', 'stradivarius', 'massimo dutti', 'oysho', 'lefties', 'cortefiel', 'springfield', 'tiger stores|flying tiger',
    'tedi', 'sfera', 'druni', 'tiendanimal store',
    // Office supplies
    'staples', 'office depot', 'officemax', 'lyreco',
  ]),

  // A shopping mall's own name on a statement is usually its car park or a
  // kiosk billed through the mall, so only a weak vote for shopping.
  ...defineRules('merchant', 'shopping', ACCOUNT, [
    'plaza central', 'agora mall', 'blue mall', 'sambil', 'galeria 360', 'megacentro', 'plaza las americas',
    'dolphin mall', 'aventura mall', 'sawgrass mills', 'centro comercial', 'shopping center',
  ]),

  // ── Housing: rent portals, home improvement, furniture, storage ─────────
  ...defineRules('merchant', 'housing', LIKELY, [
    'home depot|homedepot|the home depot', "lowe's|lowes", 'menards', 'ace hardware', 'true value',
    'sherwin williams|sherwin-williams', 'floor & decor', 'harbor freight', 'ikea', 'ashley furniture|ashley homestore',
    'la-z-boy', "bob's discount furniture", 'pottery barn', 'crate & barrel|crate and barrel', 'west elm',
    'williams sonoma', 'havertys', 'city furniture', 'rooms to go', 'mattress firm', 'sleep number', 'value city furniture',
    'leroy merlin', 'bricomart', 'bauhaus', 'brico depot', 'telhanorte', 'tok&stok|tok stok', 'mobly',
    'madeiramadeira', 'c&c casa e construcao', 'home center', 'the home depot mexico', 'ferreteria ochoa',
    'ferreteria americana', 'ferreteria popular', 'el palacio de las ferreterias', 'mr. bricolage',
    'appfolio', 'rentcafe', 'rentpayment', 'clickpay', 'bilt rent', 'cozy rent', 'zillow rent', 'avail rent',
    'public storage', 'extra space storage', 'cubesmart', 'life storage', 'uhaul storage|u-haul storage',
    'terminix', 'orkin', 'truly nolen', 'adt security|adt', 'simplisafe', 'ring protect', 'vivint', 'brinks home',
    'rent a center|rent-a-center', 'aarons', 'conforama', 'muebles boom', 'la curacao', 'muebles la fabrica',
  ]),

  // ── Personal care: hair, beauty, spa, gym ─────────────────────────────
  ...defineRules('merchant', 'personal_care', SURE, [
    'great clips', 'supercuts', 'sport clips', 'fantastic sams', 'ulta|ulta beauty', 'sephora', 'sally beauty',
    'european wax', 'massage envy', 'hand & stone', 'drybar', 'o boticario|boticario', 'natura cosmeticos|natura',
    'avon', 'mac cosmetics', 'the body shop', 'lush', 'planet fitness', 'la fitness', '24 hour fitness',
    'anytime fitness', "gold's gym|golds gym", 'equinox', 'crunch fitness', 'orangetheory|orange theory', 'f45',
    'snap fitness', 'goodlife fitness', 'smart fit|smartfit', 'sport city', 'bodytech', 'selfit', 'basic-fit|basic fit',
    'holmes place', 'mcfit', 'duet fit', 'altafit', 'o2 centro wellness', 'body shop athletic club', 'energy fitness',
    'peloton', 'classpass', 'soulcycle', 'ymca', 'pure barre', 'club pilates', 'xponential', 'fit4less',
    'sportlife', 'gympass|wellhub', 'regis salon', 'cost cutters', 'primor', 'douglas perfumeria',
    'perfumerias if', 'the beauty box|beauty box', 'quem disse berenice', 'eudora', 'jafra',
  ]),

  // ── Fees & taxes: tax authorities and government ─────────────────────
  ...defineRules('merchant', 'fees_taxes', SURE, [
    'irs|us treasury|irs usataxpymt|usataxpymt', 'franchise tax board|ftb', 'department of revenue|dept of revenue',
    'tax collector', 'dmv|department of motor vehicles', 'flhsmv', 'uscis', 'passport services', 'canada revenue|cra',
    'receiver general', 'service canada', 'servicio de administracion tributaria|sat pago|sat impuestos|sat contribuyente',
    'tesoreria', 'dgii|impuestos internos', 'intrant', 'receita federal', 'darf', 'simples nacional|das mei|pgmei',
    'detran', 'agencia tributaria|aeat', 'dgt multas|dgt', 'seguridad social|tgss', 'prefeitura', 'sefaz',
    'dgm', 'infotep', 'serviceontario',
  ]),

  // ── Other: transfers, wallets, shipping, pets, education, giving ────────
  ...defineRules('merchant', 'other', SURE, [
    'zelle', 'venmo', 'cash app|cashapp|square cash', 'western union', 'moneygram', 'remitly', 'xoom', 'ria money',
    'sendwave', 'worldremit', 'wise.com|transferwise|wise payments|wise inc', 'interac e-transfer|interac etransfer|e-transfer',
    'bizum', 'vimenca', 'caribe express', 'bhd remesas', 'quisqueyana', 'intermex', 'viamericas',
    'ups|the ups store|ups store', 'fedex', 'usps', 'dhl', 'correos', 'correios', 'canada post|postes canada',
    'purolator', 'estafeta', 'redpack', '99minutos', 'jadlog', 'sedex', 'loggi', 'stamps.com', 'pirate ship|pirateship',
    'eps courier|eps', 'aeropaq', 'mail boxes etc|mailboxes etc', 'bm cargo', 'seur', 'mrw', 'gls', 'nacex',
    'petsmart', 'petco', 'chewy', 'banfield', 'vca animal', 'cobasi', 'petz', 'petlove', 'tiendanimal', 'kiwoko',
    'coursera', 'udemy', 'edx', 'chegg', 'pearson', 'mcgraw hill', 'cengage', 'kumon', 'sylvan learning',
    'gofundme', 'red cross|cruz roja', 'unicef', 'salvation army', 'goodwill donation', 'tithe.ly', 'pushpay',
  ]),
  ...defineRules('merchant', 'other', ACCOUNT, [
    'paypal', 'mercado pago|mercadopago', 'pagseguro|pagbank', 'picpay', 'recargapay', 'spin by oxxo|spin oxxo',
    'apple cash', 'google pay', 'samsung pay',
  ]),

  // ── Income ────────────────────────────────────────────────────────────
  ...defineRules('merchant', 'income', LIKELY, [
    'adp payroll|adp', 'paychex', 'gusto pay|gusto payroll', 'intuit payroll', 'rippling', 'deel', 'irs treas 310|tax ref|tax refund',
  ]),

  // ── Investments ───────────────────────────────────────────────────────
  ...defineRules('merchant', 'investments', LIKELY, [
    'robinhood', 'vanguard', 'fidelity', 'charles schwab|schwab', 'e*trade|etrade', 'td ameritrade', 'webull',
    'acorns', 'stash invest', 'betterment', 'wealthfront', 'coinbase', 'kraken', 'binance', 'crypto.com',
    'gemini', 'wealthsimple', 'questrade', 'gbm', 'cetes directo|cetesdirecto', 'xp investimentos', 'rico investimentos',
    'clear corretora', 'btg pactual', 'nu invest', 'degiro', 'myinvestor', 'indexa', 'trade republic', 'interactive brokers',
    'm1 finance', 'public.com', 'bitso', 'mercado bitcoin', 'tesouro direto',
  ]),

  // ── Debt payoff: card issuers, lenders, BNPL, student and auto loans ────
  ...defineRules('merchant', 'debt_payoff', LIKELY, [
    'affirm', 'klarna', 'afterpay', 'sezzle', 'zip pay|quadpay', 'aplazo', 'kueski', 'navient', 'nelnet',
    'great lakes educational|great lakes loan', 'mohela', 'sallie mae', 'aidvantage', 'fedloan', 'edfinancial', 'toyota financial|toyota motor credit',
    'honda financial|american honda finance', 'ally auto', 'capital one auto', 'santander consumer', 'credit acceptance',
    'carmax auto', 'ford credit', 'gm financial', 'nissan motor acceptance', 'hyundai motor finance', 'westlake financial',
    'exeter finance', 'upstart', 'lendingclub', 'sofi loan', 'best egg', 'oportun', 'onemain', 'mariner finance',
    'world finance', 'credit one', 'mission lane', 'synchrony', 'barclaycard', 'comenity', 'credova', 'uplift',
    'coppel credito', 'creditea', 'banco azteca credito', 'didi prestamos',
  ]),
  ...defineRules('merchant', 'debt_payoff', ACCOUNT, [
    // US
    'chase', 'bank of america|bofa|bk of amer', 'wells fargo', 'citi|citibank|citicard|citi card', 'us bank|usbank',
    'pnc', 'truist', 'td bank', 'capital one|capitalone', 'regions', 'fifth third', 'discover', 'american express|amex',
    'usaa', 'navy federal', 'chime', 'varo', 'sofi', 'ally bank', 'marcus by goldman', 'citizens bank', 'keybank', 'huntington',
    'bmo', 'santander', 'hsbc', 'apple card|goldman sachs', 'penfed', 'suncoast credit', 'space coast credit',
    // Canada
    'scotiabank|scotia', 'rbc|royal bank', 'cibc', 'desjardins', 'national bank|banque nationale', 'tangerine',
    'simplii', 'eq bank', 'td canada trust|td visa',
    // Mexico
    'bbva', 'banamex|citibanamex', 'banorte', 'inbursa', 'banco azteca', 'bancoppel', 'nu mexico|nubank|nu pagamentos',
    'hey banco', 'stori', 'klar', 'banregio', 'afirme', 'banbajio', 'scotiabank mexico',
    // Dominican Republic
    'banco popular|popular dominicano|bpd', 'banreservas|banco de reservas', 'bhd|bhd leon', 'apap|asociacion popular',
    'banesco', 'promerica', 'banco santa cruz', 'banco caribe', 'ademi', 'qik', 'banco lafise', 'banco lopez de haro',
    'asociacion cibao', 'alaver', 'vimenca banco',
    // Brazil
    'itau|itau unibanco', 'bradesco', 'banco do brasil|bb', 'caixa economica|caixa', 'banco inter',
    'c6 bank|c6', 'neon', 'banco original', 'sicredi', 'sicoob', 'banco pan', 'will bank', 'nubank',
    // Spain
    'caixabank|la caixa', 'sabadell', 'bankinter', 'unicaja', 'kutxabank', 'ibercaja', 'abanca', 'ing direct|ing',
    'openbank', 'revolut', 'n26', 'cajamar', 'cetelem', 'cofidis', 'evo banco',
  ]),
];
