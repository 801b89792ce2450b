import { defineRules, type Rule } from './types.ts';

/**
 * Generic vocabulary in English, Spanish and Portuguese (accents are folded
 * by normalization, so "farmácia" is written "farmacia").
 *
 * Confidence says how reliably the word alone names the category:
 * - STRONG: trade names for the business itself ("supermercado",
 *   "gasolinera", "farmacia"). Still below any merchant.
 * - CLEAR: usually right, sometimes part of something else ("cafe", "bar",
 *   "parking").
 * - HINT: weak evidence; wins only when nothing better matched.
 * - FAINT: generic money words ("payment", "pago", "credito") that only say
 *   a debt was probably being paid when nothing else is known.
 *
 * Two deliberate exceptions sit higher: FEE words beat ATM and transfer
 * words ("ATM WITHDRAWAL FEE" is a fee), and REVERSAL words (refund,
 * estorno, devolución) beat even certain merchants, because a refund names the
 * merchant it came from.
 *
 * Money-movement words (fee, ATM, transfer, payroll) sit above the ACCOUNT
 * tier of bank merchants so "BANCO POPULAR TRANSFERENCIA" is a transfer, not
 * a card payment. Multi-word phrases win over the single words they contain
 * ("animal hospital" over "hospital", "atm fee" over "atm"), which is how the
 * table handles the common ambiguities.
 */
const REVERSAL = 0.97;
const FEE = 0.86;
const STRONG = 0.84;
const CLEAR = 0.74;
const HINT = 0.55;
const FAINT = 0.45;

export const KEYWORD_RULES: readonly Rule[] = [
  // ── Groceries ──────────────────────────────────────────────────────────
  ...defineRules('keyword', 'groceries', STRONG, [
    'supermercad*|supermarket*|supermarche|super market|super mercado|hipermercad*|hypermarket*|grocer*|mercearia',
    'minimarket|mini market|minimercado|mini mercado|minisuper|mini super|mercadinho|autoservicio',
    'colmado*|abarrote*|farmers market|hortifrut*|sacolao|verduler*|tortiller*',
  ]),
  ...defineRules('keyword', 'groceries', CLEAR, [
    'carnicer*|butcher*|meat market|acougue|fruter*|pescader*|quitanda|atacad*|food mart|foodmart|convenience store',
    'tienda de conveniencia|loja de conveniencia|conveniencia|liquor*|licorer*|wine & spirits|vinos y licores',
  ]),
  ...defineRules('keyword', 'groceries', HINT, ['mercado|market|bodega|emporio|almacen|produce|comestibles']),

  // ── Dining ────────────────────────────────────────────────────────────
  ...defineRules('keyword', 'dining', STRONG, [
    'restaura*|ristorante|trattoria|osteria|pizz*|burger*|burguer*|hamburgues*|hamburguer*|taquer*|sushi*|ramen|steakhouse|steak house',
    'churrasc*|lanchonet*|marisquer*|cevicher*|pica pollo|bistro|eatery|cafeter*|coffee*|kebab|shawarma|falafel',
    'udon|hibachi|chiringuito|cocina economica|food truck|pozoler*|birrier*|antojit*|comida rapida|fast food',
  ]),
  ...defineRules('keyword', 'dining', CLEAR, [
    'cafe|cafes|bakery|bakeries|panader*|padaria|confeitar*|reposter*|pasteler*|doceria|grill|diner|tacos|taco',
    'cantina|comedor|fonda|loncher*|chicken|wings|pho|bbq|barbecue|lanches|sorveter*|helader*|helados|ice cream',
    'gelat*|donut*|doughnut*|bagel*|tapas|cervecer*|cervejar*|brewery|brewing|brewpub|pub|tavern|taberna|asador',
    'mariscos|empanad*|arepa*|parrilla|buffet|noodle*|dumpling*|creperie|cuisine|kitchen|deli|sandwich*|catering',
    'smoothie*|juice bar|jugos|boba|poke|bar|snack bar|pollos|pollo|dining|comidas|comida|eats|wok|food court',
  ]),
  ...defineRules('keyword', 'dining', HINT, ['food|lounge|resto|delivery|tortas|chimi|snack*|waffle*|crepe*|cerveza|juice']),

  // ── Transport ─────────────────────────────────────────────────────────
  ...defineRules('keyword', 'transport', STRONG, [
    'gasolin*|gas station|estacion de servicio|estacion servicio|est servicio|auto posto|combustive*|combustible*',
    'fuel|diesel|peaje*|pedagio*|parking|parqueo|parqueadero*|estacionamient*|estacionament*|aparcamient*',
    'taxi*|rideshare|car wash|carwash|autolavado|auto lavado|lava jato|lavacar|lavado de autos|oil change',
    'llanta*|neumatico*|gomeria|autopart*|auto parts|autopecas|auto pecas|refaccionaria|auto repair|toll*',
  ]),
  ...defineRules('keyword', 'transport', CLEAR, [
    'posto|petrol*|transit|transporte*|transportation|autobus*|onibus|metro|subway fare|tren|train|rail|garage',
    'lube|tire|tires|pneu|pneus|mecanic*|automotive|auto service|repuesto*|smog|caseta|autopista*|bike share',
    'scooter rental|motorcycle|motos|moto taxi|mototaxi|vehicle registration|car service',
  ]),
  ...defineRules('keyword', 'transport', HINT, ['gas|bus|cab|taller|auto|autos|car|carro|coche|ride']),

  // ── Travel ────────────────────────────────────────────────────────────
  ...defineRules('keyword', 'travel', STRONG, [
    'airline*|airways|aerolinea*|linhas aereas|air lines|hotel*|hoteis|motel*|hostal|hostel*|pousada|apartahotel',
    'agencia de viajes|agencia de viagens|travel agency|cruise*|crucero*|rent a car|car rental|renta de autos',
    'alquiler de coches|aluguel de carros|locadora de veiculos|vacation rental|hospedaje|hospedagem|alojamiento',
  ]),
  ...defineRules('keyword', 'travel', CLEAR, [
    'inn|resort*|flight*|vuelo*|voo|travel|viaje*|viagem|viagens|turismo|tours|lodge|suites|glamping|posada',
    'airport|aeropuerto|aeroporto|baggage|equipaje',
  ]),

  // ── Health ────────────────────────────────────────────────────────────
  ...defineRules('keyword', 'health', STRONG, [
    'farmac*|pharmac*|drogari*|drugstore|botica|clinic*|hospital*|dentist*|odonto*|urgent care|optometr*',
    'oftalmolog*|ophthalmolog*|pediatr*|dermatolog*|orthodont*|radiolog*|physician*|chiropract*',
    'centro medico|posto de saude|consultorio*|psicolog*|psycholog*|psiquiatr*|psychiatr*|fisioterap*',
    'physiotherap*|physical therapy|medical center|medical group|laboratorio clinico|clinical lab',
  ]),
  ...defineRules('keyword', 'health', CLEAR, [
    'medic*|dental*|doctor|laborator*|diagnost*|optic*|vision center|therap*|imaging|ambulance|ambulancia',
    'hearing aid|salud|saude|drug|drugs|rx|nutricion*|nutrition*',
  ]),
  ...defineRules('keyword', 'health', HINT, ['health|lab|labs|doutor']),

  // ── Insurance ─────────────────────────────────────────────────────────
  ...defineRules('keyword', 'insurance', STRONG, [
    'insur*|segurador*|asegurador*|assurance*|health insurance|plano de saude|seguro de vida|seguro de auto',
  ]),
  ...defineRules('keyword', 'insurance', CLEAR, ['seguro*|poliza|apolice|ars|ins|ins prem|premium insurance']),
  // On a bank statement a "premium" is nearly always an insurance premium.
  ...defineRules('keyword', 'insurance', HINT, ['premium|prem']),

  // ── Utilities ─────────────────────────────────────────────────────────
  ...defineRules('keyword', 'utilities', STRONG, [
    'utilit*|util|electric*|electricidad|acueducto|alcantarillado|sewer|saneamento|natural gas|broadband',
    'telecom*|telefon*|wireless|internet service|conta de luz|factura de luz|recibo de luz|energia electrica',
    'waste management|garbage|trash service|recoleccion de basura|water dept|water department|water utility',
  ]),
  // "COMPRA INTERNET" is how many Latin American banks label any online purchase.
  ...defineRules('keyword', 'utilities', HINT, ['internet']),
  ...defineRules('keyword', 'utilities', CLEAR, [
    'water|agua|aguas|energia|energy|power|cable|celular|mobile|movil|phone|telco|propane|luz',
    'gas natural|recarga*|tv cable|fibra|fiber|electric bill|pago de servicios',
  ]),

  // ── Subscriptions ─────────────────────────────────────────────────────
  ...defineRules('keyword', 'subscriptions', CLEAR, [
    'subscription*|suscripcion*|subscripcion*|assinatura*|streaming|membership renewal|monthly plan',
  ]),
  ...defineRules('keyword', 'subscriptions', HINT, ['membership|membresia|mensalidade|mensualidad']),

  // ── Entertainment ─────────────────────────────────────────────────────
  ...defineRules('keyword', 'entertainment', STRONG, [
    'cinema*|cines|movie theater|movie theatre|museum|museo|museu|zoo|zoologic*|aquarium|acuario|aquario',
    'amusement|theme park|parque de diversiones|parque de diversoes|bowling|boliche|bolera|karaoke|arcade',
    'escape room|paintball|trampoline|concert*|concierto*|videojuego*|video games',
  ]),
  ...defineRules('keyword', 'entertainment', CLEAR, [
    'cine|movie*|theater*|theatre*|teatro|ingresso*|entradas|tickets|casino|lottery|loteri*|lotto|nightclub',
    'discoteca|boate|stadium|estadio|festival|golf|bingo|billar|games|gaming|sportsbook|apuestas',
  ]),
  ...defineRules('keyword', 'entertainment', HINT, ['park|parque|event*|evento*|ticket|show|club|sports']),

  // ── Personal care ─────────────────────────────────────────────────────
  ...defineRules('keyword', 'personal_care', STRONG, [
    'salon*|salao|peluquer*|barber*|barbear*|cabeleir*|manicur*|pedicur*|nail salon|nails|gym|gimnasio*',
    'fitness|pilates|crossfit|yoga|depila*|estetica|beauty salon|day spa|massage*|masaje*',
  ]),
  ...defineRules('keyword', 'personal_care', CLEAR, [
    'beauty|belleza|beleza|spa|nail|unas|cosmetic*|cosmetico*|perfum*|tanning|waxing|hair|lashes|brows',
    'tintorer*|dry cleaning|dry cleaners|dry cleaner|laundr*|lavanderia|tattoo|skin care|skincare',
  ]),
  ...defineRules('keyword', 'personal_care', HINT, ['academia']),

  // ── Housing ───────────────────────────────────────────────────────────
  ...defineRules('keyword', 'housing', STRONG, [
    'mortgage*|hipoteca*|hoa|homeowners assoc|homeowners association|property management|property mgmt|landlord',
    'home improvement|ferreter*|ferragens|hardware store|materiales de construccion|materiais de construcao',
    'furniture|mueble*|moveis|colchon*|mattress*|plumb*|plomer*|hvac|handyman|pest control|fumigacion|dedetizacao',
    'self storage|locksmith|cerrajer*|chaveiro|roofing|rent payment|pago de alquiler|pago de renta|aluguel',
    'arriendo|alquiler|condominio|cuota de mantenimiento|apartments|inmobiliaria|imobiliaria',
  ]),
  ...defineRules('keyword', 'housing', CLEAR, [
    'rent|hardware|lumber|storage|lawn*|landscap*|electrician|cleaning service|house cleaning|maid service',
    'condo*|realty|leasing|home center|home decor',
  ]),
  ...defineRules('keyword', 'housing', HINT, ['renta|apartment|apartamento|apto|apt|jardiner*|limpieza']),

  // ── Shopping ──────────────────────────────────────────────────────────
  ...defineRules('keyword', 'shopping', CLEAR, [
    'department store|tienda departamental|clothing|apparel|ropa|roupa*|boutique|electronic*|electronica',
    'eletronic*|eletronicos|shoe*|zapat*|calcado*|sapato*|jewel*|joyer*|joalher*|books|bookstore|librer*|livrar*',
    'papeler*|papelar*|toys|toy store|juguet*|brinquedo*|sporting goods|electrodomestic*|eletrodomestic*|outlet',
    'dollar store|thrift*|office supplies|marketplace|duty free|gift shop|fashion|moda|variedades|bazar',
    'florist*|floreria|floricultura|miscelanea|computer*|optical store|home goods|accesorios|acessorios',
  ]),
  ...defineRules('keyword', 'shopping', HINT, ['store|stores|shop|shops|tienda*|loja*|mall|almacenes|magazine|retail|online']),

  // ── Fees & taxes ──────────────────────────────────────────────────────
  // A fee is a fee wherever it was charged: above ATM and transfer words.
  ...defineRules('keyword', 'fees_taxes', FEE, [
    'fee|fees|service charge|overdraft|nsf|comision*|comissao|commission*|cargo por|tarifa bancaria',
    'atm fee|atm surcharge|atm charge|comision cajero|comision por retiro|tarifa saque|wire fee|transfer fee',
  ]),
  ...defineRules('keyword', 'fees_taxes', STRONG, [
    'cesta de servicos|pacote de servicos|anuidade|anualidad|cuota de manejo|manejo de cuenta|iof|late charge',
    'interest charge|finance charge|purchase interest|cash advance interest|foreign transaction|intl transaction',
    'impuest*|imposto*|tribut*|irpf|iptu|ipva|predial|tenencia|refrendo|marbete|itbis|tax|taxes|property tax',
    'tax payment|tax pymt|multa*|penalty|penalidad|passport|pasaporte|passaporte|licencia de conducir',
    'cargo mensual|cargo administrativo|cargo por servicio|mantenimiento de cuenta|monthly maintenance',
  ]),
  ...defineRules('keyword', 'fees_taxes', CLEAR, [
    'interest|intereses|juros|encargos|iva|isr|ibi|gobierno|government|municipal*|ayuntamiento|prefeitura',
    'alcaldia|tesoreria|taxa|mora|recargo|registro civil|permit|ley 288|dgii',
  ]),
  ...defineRules('keyword', 'fees_taxes', HINT, ['cargo|cargos|tarifa|city of|county of|state of|county']),

  // ── Other: transfers, cash, pets, education, giving, shipping ──────────
  ...defineRules('keyword', 'other', STRONG, [
    'transfer*|transf|xfer|trf|traspaso*|spei|pix|p2p|remesa*|remittance|envio de dinero|wire transfer',
    'atm|cajero|cajero automatico|caixa eletronico|banco 24 horas|banco24horas|cash withdrawal|saque',
    'retiro en cajero|retiro de efectivo|disposicion de efectivo|atm withdrawal|withdrawal',
    'veterinar*|animal hospital|pet shop|petshop|pet store|pet supplies|mascota*|pets|grooming salon',
    'tuition|colegiatura|universidad*|university|faculdade|daycare|guarderia|creche|escuela|colegio|escola',
    'donation*|donacion*|doacao|doacoes|charity|church|iglesia*|igreja*|diezmo|tithe|dizimo|ofrenda',
    'shipping|courier*|paqueter*|mensajer*|post office|correo|postage|freight|cargo express|envio de paquete',
  ]),
  ...defineRules('keyword', 'other', CLEAR, [
    'ted|wire|retiro|efectivo|cash|pet|vet|college|school|education|educacion|educacao|curso*|course*',
    'gift|regalo|postal|envio*|tutoring|tutor|lessons|matricula|inscripcion|inscricao',
  ]),

  // ── Income ────────────────────────────────────────────────────────────
  // A refund names the merchant it came from ("ESTORNO COMPRA MAGALU"), so the
  // reversal word has to outrank even a certain merchant match.
  ...defineRules('keyword', 'income', REVERSAL, [
    'refund|reembolso|devolucion|estorno|reversal|reverso|chargeback|credit voucher|tax refund',
  ]),
  ...defineRules('keyword', 'income', STRONG, [
    'payroll|direct dep|dir dep|direct deposit|salary|salario|sueldo|nomina|deposito de nomina|pago de nomina',
    'interest paid|interest earned|int earned|dividend*|rendimento*|cashback reward|reward redemption',
  ]),
  ...defineRules('keyword', 'income', CLEAR, ['cashback|cash back reward|credito nomina|mobile deposit|rendimiento*']),
  ...defineRules('keyword', 'income', HINT, ['deposito|deposit']),

  // ── Savings, investments, debt ────────────────────────────────────────
  ...defineRules('keyword', 'emergency_fund', CLEAR, [
    'transfer to savings|to savings|savings transfer|poupanca|ahorro programado|cuenta de ahorro|emergency fund',
  ]),
  ...defineRules('keyword', 'emergency_fund', HINT, ['savings|ahorro*']),
  ...defineRules('keyword', 'investments', STRONG, [
    'brokerage|investment*|inversion*|investiment*|401k|ira contrib|ira contribution|fondo de inversion|plan de pensiones',
    'afore|previdencia privada|crypto|bitcoin|cetes|tesouro direto',
  ]),
  ...defineRules('keyword', 'investments', CLEAR, ['invest|roth|cdb|aplicacao|stocks|acciones']),
  ...defineRules('keyword', 'debt_payoff', STRONG, [
    'payment thank you|pago recibido|pago gracias|autopay|auto pay|autopago|pago tarjeta|pago de tarjeta|pago tdc',
    'pago tc|pago a tarjeta|credit card payment|card payment|credit crd|crdt card|cc payment|cc pmt|loan payment',
    'loan pmt|student loan|auto loan|car loan|pagamento de fatura|pagamento fatura|pagto fatura|pgto fatura',
    'pag fatura|fatura cartao|abono a tarjeta|abono tarjeta|pago prestamo|pago de prestamo|pago credito|pago de credito|mortgage loan',
  ]),
  ...defineRules('keyword', 'debt_payoff', CLEAR, [
    'loan*|prestamo*|emprestimo*|financiamiento|financiamento|financiacion|installment|epayment|e payment',
    'tarjeta de credito|cartao de credito|credit card|bnpl|line of credit|fatura*|mobile pmt|online pmt',
  ]),
  ...defineRules('keyword', 'debt_payoff', FAINT, ['credito|cuota|parcela|financ*|pmt|pymt|payment|pago|pagamento']),
];
