//go:build ignore

// Command gen writes Franja's demo dataset: seed/posts.csv, seed/people.csv,
// seed/leaves.csv and seed/on-call-turns.csv. The CSV files are the dataset (they are committed and
// embedded); this program only made them, deterministically (fixed random
// seed), so that rerunning it after an edit reproduces the same rows. Run it
// from the module root:
//
//	go run seed/gen/main.go
package main

import (
	"cmp"
	"encoding/csv"
	"fmt"
	"log"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"franja/calendars"
	"franja/domain"
)

// The year of leave the dataset covers (inclusive).
var (
	firstDay = domain.NewDate(2026, time.July, 1)
	lastDay  = domain.NewDate(2027, time.June, 30)
)

func main() {
	r := rand.New(rand.NewPCG(20260701, 2191))
	g := &gen{r: r, emails: map[string]bool{}}
	g.buildPosts()
	g.buildPeople()
	g.buildLeaves()
	dir := "seed"
	must(writeCSV(filepath.Join(dir, "posts.csv"), postHeader, g.postRecords()))
	must(writeCSV(filepath.Join(dir, "people.csv"), personHeader, g.personRecords()))
	must(writeCSV(filepath.Join(dir, "leaves.csv"), leaveHeader, g.leaveRecords()))
	turns := g.turnRecords()
	must(writeCSV(filepath.Join(dir, "on-call-turns.csv"), turnHeader, turns))
	fmt.Printf("%d posts, %d people, %d leaves, %d on-call turns\n", len(g.posts), len(g.people), len(g.leaves), len(turns))
}

func must(err error) {
	if err != nil {
		log.Fatal(err)
	}
}

// gen holds the dataset while it is built.
type gen struct {
	r      *rand.Rand
	posts  []*post
	people []*person
	leaves []*leave
	emails map[string]bool
	nextID int
}

func writeCSV(path string, header []string, records [][]string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := csv.NewWriter(f)
	if err := w.Write(header); err != nil {
		return err
	}
	if err := w.WriteAll(records); err != nil {
		return err
	}
	return f.Close()
}

// pick returns a random element of list.
func pick[T any](r *rand.Rand, list []T) T { return list[r.IntN(len(list))] }

// ---------------------------------------------------------------- posts

// post is one post and what the generator needs to staff it.
type post struct {
	code, name, kind, country, city, zone string
	cals                                  []string
	picks                                 []calendars.Pick // Colombian days a post abroad closes on
	schedule                              string
	officers, locals                      int    // career staff besides the head; locally hired staff
	region                                string // the BOG direction its head reports to
	south                                 bool   // southern hemisphere: summer holidays in January
	loc                                   *time.Location
	holidays                              map[domain.Date]bool
	sched                                 domain.Schedule
	staff                                 []*person
}

var postHeader = []string{"code", "name", "kind", "country", "city", "time_zone", "calendars", "holiday_picks", "schedule"}

// days writes the same windows for each listed weekday.
func days(windows string, keys ...string) string {
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + windows
	}
	return strings.Join(parts, ";")
}

var (
	monFri = []string{"mon", "tue", "wed", "thu", "fri"}
	sunThu = []string{"sun", "mon", "tue", "wed", "thu"}

	hqHours      = days("08:00-12:00,13:00-17:00", monFri...)
	latamHours   = days("08:00-12:00,13:00-17:00", monFri...)
	usHours      = days("09:00-13:00,14:00-17:30", monFri...)
	plainHours   = days("08:30-16:30", monFri...)
	europeHours  = days("09:00-13:00,14:00-18:00", monFri...)
	asiaHours    = days("09:00-12:30,13:30-18:00", monFri...)
	oceaniaHours = days("08:30-12:30,13:30-17:00", monFri...)
	sunThuHours  = days("08:30-16:30", sunThu...)
	cairoHours   = days("09:00-16:00", sunThu...)
	// The UAE moved its public sector to a Monday–Friday week in 2022, with
	// a short Friday.
	uaeHours = days("07:30-15:30", "mon", "tue", "wed", "thu") + ";fri=07:30-12:00"
)

// The BOG directions heads of mission report to.
const (
	dirAmerica      = "america"
	dirEurope       = "europe"
	dirAsia         = "asia"
	dirMultilateral = "multilateral"
	dirConsular     = "consular"
)

func p(code, kind, name, country, city, zone, cals, sched string, officers, locals int, region string) *post {
	return &post{code: code, kind: kind, name: name, country: country, city: city, zone: zone,
		cals: strings.Split(cals, "|"), schedule: sched, officers: officers, locals: locals, region: region}
}

// postList is every post abroad (BOG is added first by buildPosts).
func postList() []*post {
	const e, c, m = "embassy", "consulate", "permanent_mission"
	return []*post{
		p("EMB-WASHINGTON", e, "Embajada de Colombia en Estados Unidos", "US", "Washington", "America/New_York", "US|CO", usHours, 5, 3, dirAmerica),
		// Consulates in federal countries follow their region's calendar.
		p("CON-MIAMI", c, "Consulado General de Colombia en Miami", "US", "Miami", "America/New_York", "US-FL", plainHours, 4, 5, dirConsular),
		p("CON-NEW-YORK", c, "Consulado General de Colombia en Nueva York", "US", "Nueva York", "America/New_York", "US", plainHours, 4, 4, dirConsular),
		p("CON-LOS-ANGELES", c, "Consulado General de Colombia en Los Ángeles", "US", "Los Ángeles", "America/Los_Angeles", "US", plainHours, 2, 3, dirConsular),
		p("PM-NEW-YORK", m, "Misión Permanente de Colombia ante las Naciones Unidas", "US", "Nueva York", "America/New_York", "US|CO", usHours, 4, 1, dirMultilateral),
		p("EMB-OTTAWA", e, "Embajada de Colombia en Canadá", "CA", "Ottawa", "America/Toronto", "CA", plainHours, 2, 2, dirAmerica),
		p("EMB-MEXICO", e, "Embajada de Colombia en México", "MX", "Ciudad de México", "America/Mexico_City", "MX|CO", latamHours, 3, 3, dirAmerica),
		p("EMB-PANAMA", e, "Embajada de Colombia en Panamá", "PA", "Ciudad de Panamá", "America/Panama", "PA", latamHours, 3, 2, dirAmerica),
		p("EMB-SAN-JOSE", e, "Embajada de Colombia en Costa Rica", "CR", "San José", "America/Costa_Rica", "CR", latamHours, 2, 2, dirAmerica),
		p("EMB-SANTO-DOMINGO", e, "Embajada de Colombia en República Dominicana", "DO", "Santo Domingo", "America/Santo_Domingo", "DO", latamHours, 2, 2, dirAmerica),
		p("EMB-HAVANA", e, "Embajada de Colombia en Cuba", "CU", "La Habana", "America/Havana", "CU", latamHours, 2, 1, dirAmerica),
		p("EMB-CARACAS", e, "Embajada de Colombia en Venezuela", "VE", "Caracas", "America/Caracas", "VE|CO", latamHours, 4, 3, dirAmerica),
		p("EMB-QUITO", e, "Embajada de Colombia en Ecuador", "EC", "Quito", "America/Guayaquil", "EC|CO", latamHours, 3, 3, dirAmerica),
		p("EMB-LIMA", e, "Embajada de Colombia en Perú", "PE", "Lima", "America/Lima", "PE", latamHours, 3, 2, dirAmerica),
		p("EMB-SANTIAGO", e, "Embajada de Colombia en Chile", "CL", "Santiago", "America/Santiago", "CL", latamHours, 3, 2, dirAmerica),
		p("EMB-BUENOS-AIRES", e, "Embajada de Colombia en Argentina", "AR", "Buenos Aires", "America/Argentina/Buenos_Aires", "AR", latamHours, 3, 2, dirAmerica),
		p("EMB-BRASILIA", e, "Embajada de Colombia en Brasil", "BR", "Brasília", "America/Sao_Paulo", "BR", plainHours, 3, 2, dirAmerica),
		p("EMB-MADRID", e, "Embajada de Colombia en España", "ES", "Madrid", "Europe/Madrid", "ES|CO", europeHours, 4, 2, dirEurope),
		p("CON-MADRID", c, "Consulado General de Colombia en Madrid", "ES", "Madrid", "Europe/Madrid", "ES-MD", europeHours, 4, 5, dirConsular).
			closesOn(calendars.Pick{Calendar: "CO", Holiday: "Independencia"}, calendars.Pick{Calendar: "CO", Holiday: "Batalla de Boyacá"}),
		p("EMB-PARIS", e, "Embajada de Colombia en Francia", "FR", "París", "Europe/Paris", "FR", europeHours, 3, 2, dirEurope),
		p("EMB-LONDON", e, "Embajada de Colombia en el Reino Unido", "GB", "Londres", "Europe/London", "GB", europeHours, 3, 3, dirEurope),
		p("EMB-BERLIN", e, "Embajada de Colombia en Alemania", "DE", "Berlín", "Europe/Berlin", "DE", europeHours, 3, 2, dirEurope),
		p("EMB-ROME", e, "Embajada de Colombia en Italia", "IT", "Roma", "Europe/Rome", "IT", europeHours, 2, 2, dirEurope),
		p("EMB-LISBON", e, "Embajada de Colombia en Portugal", "PT", "Lisboa", "Europe/Lisbon", "PT", europeHours, 2, 1, dirEurope),
		p("PM-GENEVA", m, "Misión Permanente de Colombia ante la ONU en Ginebra", "CH", "Ginebra", "Europe/Zurich", "CH|CO", europeHours, 3, 2, dirMultilateral),
		p("EMB-THE-HAGUE", e, "Embajada de Colombia en los Países Bajos", "NL", "La Haya", "Europe/Amsterdam", "NL", europeHours, 2, 2, dirEurope),
		p("EMB-MOSCOW", e, "Embajada de Colombia en Rusia", "RU", "Moscú", "Europe/Moscow", "RU", europeHours, 2, 1, dirEurope),
		p("EMB-ANKARA", e, "Embajada de Colombia en Turquía", "TR", "Ankara", "Europe/Istanbul", "TR", plainHours, 2, 1, dirEurope),
		p("EMB-TOKYO", e, "Embajada de Colombia en Japón", "JP", "Tokio", "Asia/Tokyo", "JP|CO", asiaHours, 3, 2, dirAsia),
		p("EMB-BEIJING", e, "Embajada de Colombia en China", "CN", "Pekín", "Asia/Shanghai", "CN", asiaHours, 3, 2, dirAsia),
		p("EMB-SEOUL", e, "Embajada de Colombia en Corea", "KR", "Seúl", "Asia/Seoul", "KR", asiaHours, 2, 2, dirAsia),
		p("EMB-NEW-DELHI", e, "Embajada de Colombia en la India", "IN", "Nueva Delhi", "Asia/Kolkata", "IN", asiaHours, 2, 2, dirAsia),
		p("EMB-JAKARTA", e, "Embajada de Colombia en Indonesia", "ID", "Yakarta", "Asia/Jakarta", "ID", plainHours, 2, 1, dirAsia),
		p("EMB-CANBERRA", e, "Embajada de Colombia en Australia", "AU", "Canberra", "Australia/Sydney", "AU", oceaniaHours, 2, 2, dirAsia),
		p("EMB-WELLINGTON", e, "Embajada de Colombia en Nueva Zelanda", "NZ", "Wellington", "Pacific/Auckland", "NZ", oceaniaHours, 2, 1, dirAsia),
		p("EMB-PRETORIA", e, "Embajada de Colombia en Sudáfrica", "ZA", "Pretoria", "Africa/Johannesburg", "ZA", plainHours, 2, 1, dirAsia),
		p("EMB-NAIROBI", e, "Embajada de Colombia en Kenia", "KE", "Nairobi", "Africa/Nairobi", "KE|CO", plainHours, 2, 1, dirAsia),
		p("EMB-CAIRO", e, "Embajada de Colombia en Egipto", "EG", "El Cairo", "Africa/Cairo", "EG", cairoHours, 2, 1, dirAsia),
		p("EMB-RABAT", e, "Embajada de Colombia en Marruecos", "MA", "Rabat", "Africa/Casablanca", "MA", plainHours, 2, 1, dirAsia),
		p("EMB-RIYADH", e, "Embajada de Colombia en Arabia Saudita", "SA", "Riad", "Asia/Riyadh", "SA", sunThuHours, 2, 1, dirAsia),
		p("EMB-ABU-DHABI", e, "Embajada de Colombia en los Emiratos Árabes Unidos", "AE", "Abu Dabi", "Asia/Dubai", "AE", uaeHours, 2, 1, dirAsia),
		p("EMB-TEL-AVIV", e, "Embajada de Colombia en Israel", "IL", "Tel Aviv", "Asia/Jerusalem", "IL", sunThuHours, 2, 2, dirAsia),
	}
}

// closesOn adds Colombian national days the post closes on (picked by
// holiday, so that they follow it every year).
func (ps *post) closesOn(picks ...calendars.Pick) *post {
	ps.picks = append(ps.picks, picks...)
	return ps
}

// southern lists the countries whose long summer holidays fall in January.
var southern = map[string]bool{"CL": true, "AR": true, "BR": true, "AU": true, "NZ": true, "ZA": true}

func (g *gen) buildPosts() {
	bog := p("BOG", "headquarters", "Ministerio de Relaciones Exteriores - Sede Bogotá", "CO", "Bogotá", "America/Bogota", "CO", hqHours, 0, 0, "")
	g.posts = append([]*post{bog}, postList()...)
	for _, ps := range g.posts {
		loc, err := time.LoadLocation(ps.zone)
		must(err)
		ps.loc, ps.south = loc, southern[ps.country]
		ps.sched, err = domain.ParseScheduleCell(ps.schedule)
		must(err)
		ps.schedule = ps.sched.CellString() // Monday first
		ps.holidays = map[domain.Date]bool{}
		for _, year := range []int{2026, 2027} {
			hs, err := (*calendars.Stored)(nil).PostYear(calendars.PostRules{Calendars: ps.cals, Picks: ps.picks}, year)
			must(err)
			for _, h := range hs {
				ps.holidays[h.Date] = true
			}
		}
	}
}

func (g *gen) postRecords() [][]string {
	var out [][]string
	for _, ps := range g.posts {
		picks := make([]string, len(ps.picks))
		for i, pk := range ps.picks {
			picks[i] = pk.Calendar + ":" + pk.Holiday
		}
		out = append(out, []string{ps.code, ps.name, ps.kind, ps.country, ps.city, ps.zone, strings.Join(ps.cals, "|"), strings.Join(picks, "|"), ps.schedule})
	}
	return out
}

// ---------------------------------------------------------------- names

// names is a pool of given names by gender and of surnames.
type names struct {
	female, male, surnames []string
	twoSurnames            bool // Spanish-speaking naming: two surnames, often two given names
}

var spanish = names{
	female: []string{"María", "Ana", "Laura", "Carolina", "Paula", "Natalia", "Diana", "Juliana", "Valentina", "Andrea",
		"Catalina", "Daniela", "Luisa", "Camila", "Adriana", "Sandra", "Marcela", "Claudia", "Lina", "Ángela",
		"Gloria", "Beatriz", "Patricia", "Mónica", "Tatiana", "Manuela", "Isabel", "Lucía", "Sofía", "Mariana",
		"Liliana", "Viviana", "Yolanda", "Esperanza", "Margarita", "Alejandra", "Fernanda", "Silvia", "Rocío", "Pilar"},
	male: []string{"Juan", "Carlos", "Andrés", "Felipe", "Santiago", "Sebastián", "Alejandro", "Diego", "Jorge", "Luis",
		"Camilo", "Mauricio", "Ricardo", "Hernán", "Óscar", "Julián", "Nicolás", "Esteban", "Fabio", "Germán",
		"Javier", "Álvaro", "Gustavo", "Eduardo", "Martín", "Mateo", "Daniel", "David", "Iván", "Rodrigo",
		"Gabriel", "Francisco", "Hugo", "Pablo", "Sergio", "Tomás", "Emilio", "Rafael", "Jaime", "Wilson"},
	surnames: []string{"Gómez", "Rodríguez", "Martínez", "García", "López", "González", "Hernández", "Pérez", "Sánchez", "Ramírez",
		"Torres", "Díaz", "Vargas", "Rojas", "Moreno", "Jiménez", "Castro", "Ruiz", "Ortiz", "Suárez",
		"Restrepo", "Londoño", "Ospina", "Cardona", "Arango", "Valencia", "Mejía", "Zapata", "Quintero", "Giraldo",
		"Osorio", "Gutiérrez", "Álvarez", "Muñoz", "Rincón", "Salazar", "Cárdenas", "Pardo", "Escobar", "Mendoza",
		"Cortés", "Duarte", "Navarro", "Bermúdez", "Peña", "Acosta", "Montoya", "Bernal", "Cifuentes", "Lozano",
		"Uribe", "Santos", "Camacho", "Villegas", "Echeverri", "Holguín", "Caicedo", "Betancur", "Forero", "Ibáñez"},
	twoSurnames: true,
}

// localNames are the pools for locally hired staff where the host country
// does not speak Spanish (elsewhere they get Spanish names too).
var localNames = map[string]names{
	"US": {[]string{"Jennifer", "Emily", "Sarah", "Jessica", "Ashley", "Megan"}, []string{"Michael", "David", "James", "Robert", "Christopher", "Kevin"},
		[]string{"Johnson", "Miller", "Davis", "Wilson", "Brown", "Anderson", "Thomas", "Moore", "Clark", "Lewis"}, false},
	"CA": {[]string{"Chloé", "Emma"}, []string{"Liam", "Étienne"}, []string{"Tremblay", "Roy", "Gagnon", "Campbell"}, false},
	"BR": {[]string{"Ana Paula", "Juliana"}, []string{"João", "Rafael"}, []string{"Silva", "Souza", "Oliveira", "Costa"}, false},
	"FR": {[]string{"Camille", "Manon"}, []string{"Julien", "Antoine"}, []string{"Martin", "Bernard", "Dubois", "Lefèvre"}, false},
	"GB": {[]string{"Charlotte", "Olivia"}, []string{"Oliver", "Harry"}, []string{"Smith", "Taylor", "Evans", "Walker"}, false},
	"DE": {[]string{"Anna", "Katrin"}, []string{"Jonas", "Lukas"}, []string{"Müller", "Schmidt", "Schneider", "Fischer"}, false},
	"IT": {[]string{"Giulia", "Francesca"}, []string{"Marco", "Luca"}, []string{"Rossi", "Russo", "Ferrari", "Esposito"}, false},
	"PT": {[]string{"Inês", "Beatriz"}, []string{"Tiago", "Rui"}, []string{"Ferreira", "Santos", "Pereira", "Almeida"}, false},
	"CH": {[]string{"Léa", "Nina"}, []string{"Luca", "Noah"}, []string{"Meier", "Favre", "Keller", "Rochat"}, false},
	"NL": {[]string{"Sanne", "Eva"}, []string{"Daan", "Sem"}, []string{"de Jong", "Jansen", "Bakker", "Visser"}, false},
	"RU": {[]string{"Olga", "Tatiana"}, []string{"Dmitri", "Alexei"}, []string{"Ivanova", "Smirnova", "Petrova"}, false},
	"TR": {[]string{"Elif", "Zeynep"}, []string{"Emre", "Mehmet"}, []string{"Yılmaz", "Kaya", "Demir", "Şahin"}, false},
	"JP": {[]string{"Yuki", "Haruka"}, []string{"Hiroshi", "Takeshi"}, []string{"Tanaka", "Suzuki", "Sato", "Watanabe"}, false},
	"CN": {[]string{"Li Na", "Wang Fang"}, []string{"Zhang Wei", "Liu Yang"}, []string{"Chen", "Zhao", "Huang", "Zhou"}, false},
	"KR": {[]string{"Ji-woo", "Seo-yeon"}, []string{"Min-jun", "Do-hyun"}, []string{"Kim", "Lee", "Park", "Choi"}, false},
	"IN": {[]string{"Priya", "Ananya"}, []string{"Rahul", "Arjun"}, []string{"Sharma", "Patel", "Singh", "Gupta"}, false},
	"ID": {[]string{"Dewi", "Putri"}, []string{"Budi", "Agus"}, []string{"Santoso", "Wijaya", "Hidayat", "Saputra"}, false},
	"AU": {[]string{"Chloe", "Emily"}, []string{"Jack", "Thomas"}, []string{"Smith", "Jones", "Williams", "Wilson"}, false},
	"NZ": {[]string{"Aroha", "Sophie"}, []string{"Tane", "Liam"}, []string{"Ngata", "Thompson", "Walker", "Clark"}, false},
	"ZA": {[]string{"Thandiwe", "Lerato"}, []string{"Sipho", "Pieter"}, []string{"Nkosi", "Dlamini", "van der Merwe", "Botha"}, false},
	"KE": {[]string{"Wanjiru", "Achieng"}, []string{"Kamau", "Otieno"}, []string{"Mwangi", "Odhiambo", "Kiptoo", "Njoroge"}, false},
	"EG": {[]string{"Nour", "Mariam"}, []string{"Ahmed", "Omar"}, []string{"Hassan", "Mahmoud", "Ibrahim", "Mostafa"}, false},
	"MA": {[]string{"Salma", "Imane"}, []string{"Youssef", "Karim"}, []string{"Alaoui", "Benali", "El Idrissi", "Tazi"}, false},
	"SA": {[]string{"Noura", "Sara"}, []string{"Faisal", "Abdullah"}, []string{"Al-Otaibi", "Al-Harbi", "Al-Qahtani"}, false},
	"AE": {[]string{"Fatima", "Aisha"}, []string{"Khalid", "Rashid"}, []string{"Al-Mansoori", "Al-Hashimi", "Al-Suwaidi"}, false},
	"IL": {[]string{"Noa", "Tamar"}, []string{"Yonatan", "Daniel"}, []string{"Cohen", "Levi", "Mizrahi", "Friedman"}, false},
}

// fullName returns a random name from pool n and the person's gender.
func (g *gen) fullName(n names) (name string, female bool) {
	female = g.r.IntN(2) == 0
	given := n.male
	if female {
		given = n.female
	}
	first := pick(g.r, given)
	if !n.twoSurnames {
		return first + " " + pick(g.r, n.surnames), female
	}
	if g.r.IntN(3) == 0 { // many Colombians carry two given names
		if second := pick(g.r, given); second != first {
			first += " " + second
		}
	}
	s1, s2 := pick(g.r, n.surnames), pick(g.r, n.surnames)
	for s2 == s1 {
		s2 = pick(g.r, n.surnames)
	}
	return first + " " + s1 + " " + s2, female
}

var asciiFold = strings.NewReplacer("á", "a", "é", "e", "í", "i", "ó", "o", "ú", "u", "ü", "u", "ñ", "n",
	"Á", "a", "É", "e", "Í", "i", "Ó", "o", "Ú", "u", "ç", "c", "ã", "a", "ê", "e", "ô", "o", "è", "e",
	"ş", "s", "ı", "i", "Ş", "s", "'", "", " ", "")

// email makes nombre.apellido@cancilleria.gov.co from the first given name
// and first surname, then the second surname, then a number, until unused.
func (g *gen) email(fullName string, twoSurnames bool) string {
	words := strings.Fields(fullName)
	first, last := words[0], words[len(words)-1]
	var second string
	if twoSurnames {
		last, second = words[len(words)-2], words[len(words)-1]
	}
	norm := func(s string) string { return asciiFold.Replace(strings.ToLower(s)) }
	candidates := []string{norm(first) + "." + norm(last)}
	if second != "" {
		candidates = append(candidates, candidates[0]+"."+norm(second))
	}
	for i := 2; ; i++ {
		for _, c := range candidates {
			if addr := c + "@cancilleria.gov.co"; !g.emails[addr] {
				g.emails[addr] = true
				return addr
			}
		}
		candidates = []string{fmt.Sprintf("%s.%s%d", norm(first), norm(last), i)}
	}
}

// ---------------------------------------------------------------- people

// person is one member of staff.
type person struct {
	id, name, email, zone, exception, schedule string
	post                                       *post
	supervisor                                 *person
	female, twoSurnames                        bool
	role                                       string // for the generator only: "head", "deputy", "director", …
	sched                                      domain.Schedule
	loc                                        *time.Location
	busy                                       []span
}

var personHeader = []string{"external_id", "full_name", "email", "post", "time_zone", "supervisor", "exception", "schedule"}

const (
	dcm = "direccion_confianza_manejo"
	dp  = "disponibilidad_permanente"
)

// add creates a person at ps reporting to sup, named from pool n.
func (g *gen) add(ps *post, sup *person, role, exception string, n names) *person {
	g.nextID++
	name, female := g.fullName(n)
	pe := &person{id: fmt.Sprintf("E%d", 10000+g.nextID), name: name, post: ps, supervisor: sup,
		female: female, twoSurnames: n.twoSurnames, role: role, exception: exception}
	pe.email = g.email(name, n.twoSurnames)
	g.people = append(g.people, pe)
	ps.staff = append(ps.staff, pe)
	return pe
}

// direction is a unit of the Secretaría General at BOG.
type direction struct {
	key, name string
	staff     int
}

var directions = []direction{
	{"talento", "Dirección de Talento Humano", 5},
	{dirConsular, "Dirección de Asuntos Migratorios, Consulares y Servicio al Ciudadano", 5},
	{dirAmerica, "Dirección de América", 4},
	{dirEurope, "Dirección de Europa", 4},
	{dirAsia, "Dirección de Asia, África y Oceanía", 4},
	{dirMultilateral, "Dirección de Asuntos Políticos Multilaterales", 4},
	{"tic", "Oficina de Tecnologías de la Información", 5},
	{"admin", "Dirección Administrativa y Financiera", 5},
	{"juridica", "Oficina Asesora Jurídica", 3},
	{"protocolo", "Dirección del Protocolo", 3},
}

// nightShifts are the operations centre's rotas: five nights a week each,
// every window running past midnight (8 h a night, 40 h a week).
var nightShifts = []string{
	days("22:00-06:00", "mon", "tue", "wed", "thu", "fri"),
	days("22:00-06:00", "wed", "thu", "fri", "sat", "sun"),
	days("22:00-06:00", "fri", "sat", "sun", "mon", "tue"),
	days("22:00-06:00", "sun", "mon", "tue", "wed", "thu"),
}

func (g *gen) buildPeople() {
	bog := g.posts[0]
	heads := g.buildHeadquarters(bog)
	for _, ps := range g.posts[1:] {
		g.buildPost(ps, heads[ps.region])
	}
	g.overrides()
	for _, pe := range g.people {
		pe.sched, pe.loc = pe.post.sched, pe.post.loc
		if pe.schedule != "" {
			s, err := domain.ParseScheduleCell(pe.schedule)
			must(err)
			pe.sched, pe.schedule = s, s.CellString()
		}
		if pe.zone != "" {
			loc, err := time.LoadLocation(pe.zone)
			must(err)
			pe.loc = loc
		}
	}
}

// buildHeadquarters staffs BOG: the Secretary General, a director per
// direction with a coordinator and a team, and the operations centre's
// night shift. It returns the directors by direction key.
func (g *gen) buildHeadquarters(bog *post) map[string]*person {
	sg := g.add(bog, nil, "secretary_general", dcm, spanish)
	dirs := map[string]*person{}
	for _, d := range directions {
		dir := g.add(bog, sg, "director", dcm, spanish)
		dirs[d.key] = dir
		coord := g.add(bog, dir, "coordinator", "none", spanish)
		for range d.staff - 1 {
			sup := dir
			if g.r.IntN(2) == 0 {
				sup = coord
			}
			g.add(bog, sup, "officer:"+d.key, "none", spanish)
		}
	}
	// The consular operations centre answers emergencies around the clock:
	// its coordinator is on permanent call, its operators work nights.
	ops := g.add(bog, dirs[dirConsular], "ops_coordinator", dp, spanish)
	for _, shift := range nightShifts {
		op := g.add(bog, ops, "night_operator", "none", spanish)
		op.schedule = shift
	}
	return dirs
}

// buildPost staffs a post abroad: its head (reporting to a BOG director),
// career officers (the first is the deputy) and locally hired staff.
func (g *gen) buildPost(ps *post, director *person) {
	head := g.add(ps, director, "head", dcm, spanish)
	var deputy *person
	for i := range ps.officers {
		role := "officer"
		if i == 0 {
			role = "deputy"
		}
		o := g.add(ps, head, role, "none", spanish)
		if i == 0 {
			deputy = o
		}
	}
	pool, ok := localNames[ps.country]
	if !ok {
		pool = spanish
	}
	sup := head
	if deputy != nil {
		sup = deputy
	}
	for range ps.locals {
		g.add(ps, sup, "local", "none", pool)
	}
}

// overrides sets the few exceptions, zone and schedule overrides.
func (g *gen) overrides() {
	// Consular emergency duty: one consul on permanent call at the busiest
	// consular posts.
	for _, code := range []string{"CON-MIAMI", "CON-NEW-YORK", "CON-MADRID", "EMB-CARACAS"} {
		g.staffOf(code, "officer", 0).exception = dp
	}
	// People who work from another zone than their post's.
	g.staffOf("CON-MIAMI", "local", 1).zone = "America/Phoenix" // remote; Arizona keeps no DST
	g.staffOf("CON-MADRID", "local", 0).zone = "Atlantic/Canary"
	g.staffOf("EMB-CANBERRA", "local", 0).zone = "Australia/Perth"
	g.staffOf("BOG", "officer:tic", 1).zone = "America/Mexico_City"
	// A compressed week at BOG and Saturday service at a consulate.
	g.staffOf("BOG", "officer:talento", 0).schedule = days("07:00-12:00,13:00-18:00", "mon", "tue", "wed", "thu")
	g.staffOf("CON-NEW-YORK", "local", 0).schedule = days("08:30-16:30", "tue", "wed", "thu", "fri", "sat")
}

// staffOf returns the n-th (0-based) person with role at post code.
func (g *gen) staffOf(code, role string, n int) *person {
	for _, ps := range g.posts {
		if ps.code != code {
			continue
		}
		for _, pe := range ps.staff {
			if pe.role == role {
				if n == 0 {
					return pe
				}
				n--
			}
		}
	}
	log.Fatalf("no %s #%d at %s", role, n, code)
	return nil
}

func (g *gen) personRecords() [][]string {
	var out [][]string
	for _, pe := range g.people {
		sup := ""
		if pe.supervisor != nil {
			sup = pe.supervisor.id
		}
		out = append(out, []string{pe.id, pe.name, pe.email, pe.post.code, pe.zone, sup, pe.exception, pe.schedule})
	}
	return out
}

// ---------------------------------------------------------------- leaves

// span is an inclusive range of local dates.
type span struct{ from, to domain.Date }

func (s span) overlaps(o span) bool { return !s.to.Before(o.from) && !o.to.Before(s.from) }

// leave is one leave row; all-day (dates) or partial (instants).
type leave struct {
	pe                *person
	kind, prefix      string
	dates             span
	startsAt, endsAt  time.Time
	partial           bool
	delegate          *person
	zone, externalRef string
}

var leaveHeader = []string{"person", "kind", "external_ref", "start_date", "end_date", "starts_at", "ends_at", "delegate", "time_zone"}

// works reports whether pe has working windows on local date d: a weekday
// with windows that is not one of the post's holidays.
func (pe *person) works(d domain.Date) bool {
	return len(pe.sched[d.Weekday()]) > 0 && !pe.post.holidays[d]
}

// free reports whether pe has no all-day leave on any date of s.
func (pe *person) free(s span) bool {
	for _, b := range pe.busy {
		if b.overlaps(s) {
			return false
		}
	}
	return true
}

// workingSpan returns the span from the first working day on or after d
// that covers n working days.
func (pe *person) workingSpan(d domain.Date, n int) span {
	for !pe.works(d) {
		d = d.AddDays(1)
	}
	s := span{from: d}
	for left := n; ; d = d.AddDays(1) {
		if pe.works(d) {
			if left--; left == 0 {
				s.to = d
				return s
			}
		}
	}
}

// randomDate returns a date in [from, to].
func (g *gen) randomDate(from, to domain.Date) domain.Date {
	return from.AddDays(g.r.IntN(to.DaysSince(from) + 1))
}

// place records an all-day leave when s fits the year and pe is free, and
// reports whether it did.
func (g *gen) place(pe *person, kind, prefix string, s span) *leave {
	if s.from.Before(firstDay) || s.to.After(lastDay) || !pe.free(s) {
		return nil
	}
	pe.busy = append(pe.busy, s)
	l := &leave{pe: pe, kind: kind, prefix: prefix, dates: s}
	g.leaves = append(g.leaves, l)
	return l
}

// placeWorking tries up to 30 random starts in [from, to] for a leave of n
// working days.
func (g *gen) placeWorking(pe *person, kind, prefix string, n int, from, to domain.Date) *leave {
	for range 30 {
		if l := g.place(pe, kind, prefix, pe.workingSpan(g.randomDate(from, to), n)); l != nil {
			return l
		}
	}
	return nil
}

// placeCalendar tries up to 30 random starts (on working days) in [from,
// to] for a leave of n calendar days.
func (g *gen) placeCalendar(pe *person, kind, prefix string, n int, from, to domain.Date) *leave {
	for range 30 {
		d := pe.workingSpan(g.randomDate(from, to), 1).from
		if l := g.place(pe, kind, prefix, span{d, d.AddDays(n - 1)}); l != nil {
			return l
		}
	}
	return nil
}

// delegateFor picks a colleague at the same post with no leave during s:
// one of pe's direct reports first (the deputy, for a head of mission; the
// coordinator, for a director), else anyone else at the post.
func (g *gen) delegateFor(pe *person, s span) *person {
	var reports, others []*person
	for _, c := range pe.post.staff {
		switch {
		case c == pe || c.role == "night_operator" || c.role == "local":
		case c.supervisor == pe:
			reports = append(reports, c)
		default:
			others = append(others, c)
		}
	}
	g.r.Shuffle(len(others), func(i, j int) { others[i], others[j] = others[j], others[i] })
	for _, c := range append(reports, others...) {
		if c.free(s) {
			return c
		}
	}
	return nil
}

// needsDelegate reports whether pe's absence must name an encargado.
func needsDelegate(pe *person) bool {
	return pe.exception != "none" || pe.role == "deputy" || pe.role == "coordinator"
}

func (g *gen) buildLeaves() {
	g.longLeaves()
	g.vacations()
	g.absences()
	g.commissions()
	g.partialPermissions()
	// An encargado for the absences of those who must have one, and for
	// some others; chosen last, so that they are free all along.
	for _, l := range g.leaves {
		planned := l.kind == "vacation" || l.kind == "maternity_leave" || l.kind == "paternity_leave" || l.kind == "study_commission"
		if !l.partial && l.delegate == nil && l.kind != "service_commission" && (planned && needsDelegate(l.pe) || g.r.IntN(10) == 0) {
			l.delegate = g.delegateFor(l.pe, l.dates)
		}
	}
}

// vacations gives most people their 15 working days, at the seasons
// Colombians take them: Christmas and New Year, mid-year school holidays,
// and January–February in the southern hemisphere; one in five splits them
// 10 + 5.
func (g *gen) vacations() {
	d := domain.NewDate
	for _, pe := range g.people {
		if g.r.IntN(100) < 8 { // vacation carried over to the next year
			continue
		}
		parts := []int{15}
		if g.r.IntN(5) == 0 {
			parts = []int{10, 5}
		}
		for _, n := range parts {
			var from, to domain.Date
			switch season := g.r.IntN(100); {
			case pe.post.south && season < 55:
				from, to = d(2027, time.January, 4), d(2027, time.February, 10)
			case season < 40:
				from, to = d(2026, time.December, 14), d(2026, time.December, 28)
			case season < 55:
				from, to = d(2026, time.July, 1), d(2026, time.July, 13)
			case season < 65:
				from, to = d(2027, time.June, 1), d(2027, time.June, 8)
			default:
				from, to = firstDay, d(2027, time.June, 1)
			}
			if g.placeWorking(pe, "vacation", "VAC", n, from, to) == nil {
				g.placeWorking(pe, "vacation", "VAC", n, firstDay, lastDay)
			}
		}
	}
}

// longLeaves places the leave that spans months first, so that vacations
// fit around it: maternity (18 weeks, Ley 2114 de 2021), paternity (two
// weeks), unpaid leave, and studies.
func (g *gen) longLeaves() {
	d := domain.NewDate
	mothers := g.filter(func(pe *person) bool { return pe.female && pe.exception == "none" && pe.role != "night_operator" })
	for i := range 4 {
		start := d(2026, time.July, 6).AddDays(i * 41)
		g.placeCalendar(pick(g.r, mothers), "maternity_leave", "LMA", 126, start, start.AddDays(14))
	}
	fathers := g.filter(func(pe *person) bool { return !pe.female })
	for range 5 {
		g.placeCalendar(pick(g.r, fathers), "paternity_leave", "LPA", 14, firstDay, lastDay)
	}
	for range 3 {
		g.placeCalendar(pick(g.r, g.people), "unpaid_leave", "LNR", 10+g.r.IntN(21), firstDay, lastDay)
	}
	careers := g.filter(func(pe *person) bool { return pe.role != "local" && pe.exception == "none" })
	g.placeCalendar(pick(g.r, careers), "unpaid_study_leave", "LNE", 60, d(2027, time.January, 12), d(2027, time.February, 1))
	g.place(g.staffOf("BOG", "officer:"+dirMultilateral, 1), "study_commission", "CES", span{d(2027, time.January, 12), d(2027, time.June, 30)})
}

// absences adds the short all-day leave: sick leave (incapacidades run in
// calendar days), bereavement (five working days), paid permissions (up to
// three working days, calamidad doméstica included), compensatory days, and
// BOG's descanso compensado.
func (g *gen) absences() {
	for range 60 {
		g.placeCalendar(pick(g.r, g.people), "sick_leave", "INC", 1+g.r.IntN(5), firstDay, lastDay)
	}
	for range 12 {
		g.placeWorking(pick(g.r, g.people), "bereavement_leave", "LUT", 5, firstDay, lastDay)
	}
	for range 45 {
		g.placeWorking(pick(g.r, g.people), "paid_permission", "PER", 1+g.r.IntN(3), firstDay, lastDay)
	}
	careers := g.filter(func(pe *person) bool { return pe.role != "local" })
	for range 25 {
		g.placeWorking(pick(g.r, careers), "compensatory_day", "CMP", 1, firstDay, lastDay)
	}
	// The Monday–Wednesday of Holy Week 2027, worked in advance.
	bog := g.filter(func(pe *person) bool { return pe.post.code == "BOG" && pe.role != "night_operator" })
	for range 15 {
		g.place(pick(g.r, bog), "compensatory_rest", "DCO", span{domain.NewDate(2027, time.March, 22), domain.NewDate(2027, time.March, 24)})
	}
}

// filter returns the people for whom keep is true.
func (g *gen) filter(keep func(*person) bool) []*person {
	var out []*person
	for _, pe := range g.people {
		if keep(pe) {
			out = append(out, pe)
		}
	}
	return out
}

// at returns the instant at minute m of local date d in pe's zone.
func (pe *person) at(d domain.Date, m int) time.Time {
	return time.Date(d.Year, d.Month, d.Day, m/60, m%60, 0, 0, pe.loc)
}

// partial records a partial-day permission from minute start to minute
// end of date d, when pe works that day and has no all-day leave on it.
func (g *gen) partial(pe *person, kind, prefix string, d domain.Date, start, end int) bool {
	if !pe.works(d) || !pe.free(span{d, d}) || d.After(lastDay) {
		return false
	}
	g.leaves = append(g.leaves, &leave{pe: pe, kind: kind, prefix: prefix, partial: true,
		startsAt: pe.at(d, start), endsAt: pe.at(d, end)})
	return true
}

// lastWindow returns pe's last window on date d's weekday.
func (pe *person) lastWindow(d domain.Date) domain.Window {
	ws := pe.sched[d.Weekday()]
	return ws[len(ws)-1]
}

// partialPermissions adds the permissions that block hours, not days:
// lactation after the first two maternity leaves (the last hour of each
// working day, for 40 working days), study permissions two afternoons a
// week for a semester, and a union representative's monthly mornings.
func (g *gen) partialPermissions() {
	mothers := 0
	for _, l := range g.leaves {
		if l.kind != "maternity_leave" || mothers == 2 {
			continue
		}
		mothers++
		for d, n := l.dates.to.AddDays(1), 0; n < 40 && !d.After(lastDay); d = d.AddDays(1) {
			if l.pe.works(d) {
				w := l.pe.lastWindow(d)
				if g.partial(l.pe, "lactation_permission", "PLA", d, w.End-60, w.End) {
					n++
				}
			}
		}
	}
	students := []*person{g.staffOf("BOG", "officer:"+dirAmerica, 0), g.staffOf("BOG", "officer:admin", 1), g.staffOf("EMB-MADRID", "officer", 1)}
	for _, pe := range students {
		for d := domain.NewDate(2026, time.August, 4); d.Before(domain.NewDate(2026, time.November, 28)); d = d.AddDays(1) {
			if wd := d.Weekday(); (wd == time.Tuesday || wd == time.Thursday) && pe.works(d) {
				w := pe.lastWindow(d)
				g.partial(pe, "study_permission", "PES", d, w.End-120, w.End)
			}
		}
	}
	rep := g.staffOf("BOG", "officer:admin", 0)
	for m := time.July; m < time.July+12; m++ {
		d := domain.NewDate(2026, m, 1)
		for d.Weekday() != time.Wednesday {
			d = d.AddDays(1)
		}
		if rep.works(d) {
			w := rep.sched[d.Weekday()][0]
			g.partial(rep, "union_permission", "PSI", d, w.Start, w.End)
		}
	}
}

// commission is a service commission: who, where (a zone), when.
type commission struct {
	code, role string
	n          int
	zone       string
	from, to   domain.Date
}

func (g *gen) commissions() {
	d := domain.NewDate
	list := []commission{
		{"BOG", "director", 5, "Europe/Zurich", d(2026, time.September, 14), d(2026, time.September, 25)}, // Human Rights Council, Geneva
		{"BOG", "officer:" + dirMultilateral, 0, "Europe/Zurich", d(2026, time.September, 14), d(2026, time.September, 25)},
		{"BOG", "secretary_general", 0, "America/New_York", d(2026, time.September, 21), d(2026, time.September, 26)}, // UN General Assembly
		{"BOG", "director", 2, "America/New_York", d(2026, time.September, 21), d(2026, time.September, 26)},
		{"BOG", "director", 5, "Europe/Zurich", d(2027, time.March, 1), d(2027, time.March, 5)},
		{"BOG", "director", 3, "Europe/Brussels", d(2026, time.October, 19), d(2026, time.October, 23)},
		{"BOG", "director", 4, "Asia/Tokyo", d(2026, time.November, 9), d(2026, time.November, 13)},
		{"BOG", "director", 1, "Europe/Madrid", d(2027, time.February, 15), d(2027, time.February, 19)},
		{"BOG", "officer:tic", 0, "America/New_York", d(2026, time.November, 16), d(2026, time.November, 20)},
		{"BOG", "director", 2, "America/New_York", d(2027, time.June, 21), d(2027, time.June, 25)},            // OAS General Assembly
		{"CON-MIAMI", "officer", 1, "America/New_York", d(2026, time.October, 16), d(2026, time.October, 18)}, // consulado móvil, Orlando
		{"CON-LOS-ANGELES", "head", 0, "America/Phoenix", d(2027, time.February, 5), d(2027, time.February, 7)},
		{"EMB-CANBERRA", "head", 0, "Pacific/Auckland", d(2026, time.August, 10), d(2026, time.August, 12)},
		{"EMB-NAIROBI", "head", 0, "Africa/Kampala", d(2026, time.October, 5), d(2026, time.October, 7)},
		{"EMB-RIYADH", "head", 0, "Asia/Kuwait", d(2027, time.January, 17), d(2027, time.January, 20)},
		{"EMB-PRETORIA", "head", 0, "Africa/Maputo", d(2026, time.September, 7), d(2026, time.September, 9)},
		{"BOG", "officer:talento", 2, "America/Guayaquil", d(2027, time.April, 12), d(2027, time.April, 16)},
	}
	for _, c := range list {
		pe := g.staffOf(c.code, c.role, c.n)
		// A commission moved a week at a time until the person is free.
		for shift := 0; shift < 5; shift++ {
			s := span{c.from.AddDays(7 * shift), c.to.AddDays(7 * shift)}
			if l := g.place(pe, "service_commission", "CSE", s); l != nil {
				l.zone = c.zone
				if needsDelegate(pe) || pe.role == "head" {
					l.delegate = g.delegateFor(pe, s)
				}
				break
			}
		}
	}
}

// startDate is the local date a leave starts on.
func (l *leave) startDate() domain.Date {
	if l.partial {
		return domain.DateOf(l.startsAt)
	}
	return l.dates.from
}

// leaveRecords sorts the leave by start, then person, and numbers the
// external references in that order (KIND-YEAR-NNNNNN).
func (g *gen) leaveRecords() [][]string {
	slices.SortStableFunc(g.leaves, func(a, b *leave) int {
		if c := a.startDate().Compare(b.startDate()); c != 0 {
			return c
		}
		if c := a.startsAt.Compare(b.startsAt); c != 0 {
			return c
		}
		return cmp.Compare(a.pe.id, b.pe.id)
	})
	var out [][]string
	for i, l := range g.leaves {
		l.externalRef = fmt.Sprintf("%s-%d-%06d", l.prefix, l.startDate().Year, i+1)
		rec := []string{l.pe.id, l.kind, l.externalRef, "", "", "", "", "", l.zone}
		if l.partial {
			rec[5], rec[6] = l.startsAt.Format(time.RFC3339), l.endsAt.Format(time.RFC3339)
		} else {
			rec[3], rec[4] = l.dates.from.String(), l.dates.to.String()
		}
		if l.delegate != nil {
			rec[7] = l.delegate.id
		}
		out = append(out, rec)
	}
	return out
}

// ---------------------------------------------------------------- on-call turns

var turnHeader = []string{"post", "person", "backup", "starts_at", "ends_at", "external_ref"}

// onCallPosts keep an emergency line (detained or injured nationals,
// deaths, disasters) with a weekly rota of their career staff.
var onCallPosts = []string{"CON-MIAMI", "CON-MADRID"}

// turnRecords writes the rota of each on-call post: weekly turns from
// Monday 08:00 to the next Monday 08:00 (local), the career staff (head
// excluded) in turn, each backed up by the next. No randomness: it comes
// after the leave and changes none of it. A turn whose person is on
// vacation is kept by the backup (the view answers so).
func (g *gen) turnRecords() [][]string {
	var out [][]string
	for _, code := range onCallPosts {
		var ps *post
		var rota []*person
		for _, p := range g.posts {
			if p.code == code {
				ps = p
			}
		}
		for _, pe := range ps.staff {
			if pe.role == "deputy" || pe.role == "officer" {
				rota = append(rota, pe)
			}
		}
		first := firstDay
		for first.Weekday() != time.Monday {
			first = first.AddDays(1)
		}
		for i, d := 0, first; !d.AddDays(7).After(lastDay.AddDays(1)); i, d = i+1, d.AddDays(7) {
			start := time.Date(d.Year, d.Month, d.Day, 8, 0, 0, 0, ps.loc)
			end := start.AddDate(0, 0, 7)
			y, w := start.ISOWeek()
			out = append(out, []string{code, rota[i%len(rota)].id, rota[(i+1)%len(rota)].id,
				start.Format(time.RFC3339), end.Format(time.RFC3339), fmt.Sprintf("GUARDIA-%s-%d-W%02d", code, y, w)})
		}
	}
	return out
}
