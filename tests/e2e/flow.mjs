// End-to-end test of the desk in headless Chromium, as a citizen and four staff members use it:
// report on the form → intake assigns → verifier decides → a second person reviews → editor
// publishes → the fact-check is public (page, ClaimReview, list, search, Atom) → a second report
// of the same rumour, typed without diacritics, is answered at once → an appeal → an awareness
// article → every public page and the console's pages fit a 320 px phone.
//
//   node tests/e2e/flow.mjs --bin target/debug/kiemchung [--database-url URL] [--shots DIR] [--keep]
//
// --database-url runs the desk on PostgreSQL (an empty database); --shots defaults to target/e2e;
// --keep keeps the temporary data dir.
//
// It starts its own `kiemchung serve` on a free 127.0.0.1 port with a fresh data dir, drives
// Debian's /usr/bin/chromium (KC_CHROMIUM overrides) through playwright-core, saves a
// screenshot of every page it visits to target/e2e/NN-name.png, and exits non-zero naming the
// step that failed. The server is always stopped.
import { chromium } from 'playwright-core';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readdirSync, rmSync, openSync, readFileSync, existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { crc32, deflateSync } from 'node:zlib';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const args = parseArgs(process.argv.slice(2));
const bin = resolve(args.bin ?? join(repo, 'target', 'debug', 'kiemchung'));
const shotDir = resolve(repo, args.shots ?? join('target', 'e2e'));
const chromiumPath = process.env.KC_CHROMIUM ?? '/usr/bin/chromium';
const PASSWORD = 'e2e-mat-khau-1';
const TIMEOUT = 15_000;

// A rumour of the kind the desk sees: a fake refund SMS from the power company.
const RUMOUR =
    'Tin nhắn báo Điện lực Kon Tum sẽ hoàn tiền điện tháng 11 cho mọi hộ dân ở Ngọc Hồi, ' +
    'chỉ cần bấm vào đường link trong tin nhắn và nhập số tài khoản ngân hàng để nhận tiền hoàn lại.';
// The same rumour as people forward it: no diacritics, a word changed, punctuation dropped.
const RUMOUR_AGAIN =
    'tin nhan bao dien luc Kon Tum se hoan tien dien thang 11 cho moi ho dan o Ngoc Hoi ' +
    'chi can bam vao duong link trong tin nhan roi nhap so tai khoan ngan hang de nhan tien hoan lai';
const RUMOUR_URLS = ['https://example.com/bai-dang/hoan-tien-dien', 'https://example.org/nhom/12345'];
const SEARCH_WORDS = 'hoàn tiền điện';
// The editor quotes the scam's address, as fact-checks do: one long unbroken word on a phone.
const ARTICLE_BODY =
    'Tin nhắn giả mạo Điện lực dẫn tới một trang lấy thông tin tài khoản ngân hàng.\n\n' +
    'Đường link giả: https://dienluc-kontum-hoantien.example.com/nhan-tien-hoan-lai-thang-11/xac-nhan-tai-khoan?ma=ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789\n\n' +
    'Người dân không bấm vào đường link.';
const TITLE = 'Điện lực không hoàn tiền điện qua tin nhắn: đó là lừa đảo';
const USERS = [
    ['intake1', 'intake'],
    ['verifier1', 'verifier'],
    ['reviewer1', 'reviewer'],
    ['editor1', 'editor'],
    ['reviewer2', 'reviewer'],
    ['auditor1', 'auditor'],
];

let server = null;
let serverLog = null;
let browser = null;
let dataDir = null;
let shotCount = 0;
let currentStep = '(start)';
const visited = [];

process.on('exit', stopServer);
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => process.exit(130));

try {
    await main();
    console.log(`\nE2E PASSED: ${visited.length} pages visited, screenshots in ${shotDir}`);
} catch (err) {
    console.error(`\nE2E FAILED at step "${currentStep}":\n  ${err?.stack ?? err}`);
    if (serverLog && existsSync(serverLog)) {
        // eslint-disable-next-line no-control-regex
        const lines = readFileSync(serverLog, 'utf8').replace(/\x1b\[[0-9;]*m/g, '').trimEnd().split('\n');
        const errors = lines.filter((l) => /\b(ERROR|WARN)\b/.test(l)).slice(-10);
        if (errors.length) console.error(`\n--- errors and warnings in the server log ---\n${errors.join('\n')}`);
        console.error(`\n--- last lines of the server log (${serverLog}) ---\n${lines.slice(-15).join('\n')}`);
    }
    process.exitCode = 1;
} finally {
    if (browser) await browser.close().catch(() => {});
    stopServer();
    if (dataDir && !args.keep && process.exitCode !== 1) rmSync(dataDir, { recursive: true, force: true });
}

async function main() {
    await step('prepare: data dir, screenshots dir, free port', async () => {
        if (!existsSync(bin)) throw new Error(`no kiemchung binary at ${bin} (cargo build -p kiemchung)`);
        if (!existsSync(chromiumPath)) throw new Error(`no Chromium at ${chromiumPath} (apt-get install chromium)`);
        mkdirSync(shotDir, { recursive: true });
        for (const f of readdirSync(shotDir)) if (f.endsWith('.png')) rmSync(join(shotDir, f));
        dataDir = mkdtempSync(join(tmpdir(), 'kc-e2e-'));
        console.log(`  data dir ${dataDir}`);
    });

    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;

    await step('start `kiemchung serve` and wait for /healthz', async () => {
        serverLog = join(dataDir, 'serve.log');
        const fd = openSync(serverLog, 'a');
        const serveArgs = ['serve', '--data-dir', join(dataDir, 'data'), '--addr', `127.0.0.1:${port}`, ...dbArgs()];
        server = spawn(bin, serveArgs, { stdio: ['ignore', fd, fd], env: { ...process.env, RUST_LOG: 'info,sqlx=warn', NO_COLOR: '1' } });
        server.on('exit', (code, sig) => {
            if (server) console.error(`  ! kiemchung serve exited (code ${code}, signal ${sig})`);
            server = null;
        });
        const deadline = Date.now() + 60_000;
        for (;;) {
            if (!server) throw new Error('the server exited before answering /healthz');
            try {
                const res = await fetch(`${base}/healthz`);
                const body = await res.json();
                if (res.status === 200 && body.status === 'ok') break;
                throw new Error(`/healthz answered ${res.status} ${JSON.stringify(body)}`);
            } catch (e) {
                if (Date.now() > deadline) throw new Error(`no healthy answer from ${base}/healthz in 60 s: ${e.message}`);
                await sleep(200);
            }
        }
        console.log(`  serving on ${base}`);
    });

    await step('create staff accounts with `kiemchung user add`', async () => {
        for (const [name, role] of USERS) {
            const r = spawnSync(bin, ['user', 'add', name, '--role', role, '--data-dir', join(dataDir, 'data'), ...dbArgs()], {
                input: `${PASSWORD}\n`,
                encoding: 'utf8',
                timeout: 60_000,
            });
            if (r.status !== 0) throw new Error(`user add ${name} --role ${role} exited ${r.status}: ${r.stderr || r.stdout}`);
            console.log(`  ${name} (${role})`);
        }
    });

    await step('launch headless Chromium', async () => {
        browser = await chromium.launch({
            executablePath: chromiumPath,
            headless: true, // playwright passes --headless and a fresh temporary --user-data-dir
            args: [
                '--no-sandbox',
                '--disable-gpu',
                '--disable-quic',
                '--no-first-run',
                '--disable-background-networking',
                '--disable-component-update',
                '--disable-sync',
            ],
            timeout: 60_000,
        });
        console.log(`  Chromium ${browser.version()}`);
    });

    // A citizen has no cookies shared with the staff; each gets a browser context of their own.
    const newPage = async () => {
        const ctx = await browser.newContext({ baseURL: base, locale: 'vi-VN', viewport: { width: 1100, height: 900 } });
        ctx.setDefaultTimeout(TIMEOUT);
        return ctx.newPage();
    };
    const citizen = await newPage();
    const staff = await newPage();

    let receipt;
    await step('1. citizen files a report on /phan-anh', async () => {
        await visit(citizen, '/phan-anh', 'report-form');
        await checkFocusOrder(citizen, ['#text', '#urls', '#contact', 'button[type=submit]']);
        await fill(citizen, 'Nội dung phản ánh', RUMOUR);
        await fill(citizen, 'Đường dẫn', RUMOUR_URLS.join('\n'));
        await fill(citizen, 'Liên hệ (không bắt buộc)', 'nguoidan@example.com');
        // The screenshot a citizen nearly always has; staff must see it on the case page.
        await (await field(citizen, 'Ảnh chụp màn hình (không bắt buộc)')).setInputFiles({
            name: 'anh-chup-man-hinh.png',
            mimeType: 'image/png',
            buffer: tinyPng(),
        });
        await submit(citizen, 'Gửi phản ánh', 'receipt');
        const files = (await citizen.locator('[data-testid=files]').textContent({ timeout: TIMEOUT }))?.trim();
        if (files !== '1') throw new Error(`the receipt page says ${JSON.stringify(files)} images received, expected 1`);
        if ((await citizen.locator('img[src^="/quan-tri/tep/"]').count()) !== 0)
            throw new Error('the receipt page shows the image: the receipt code is not secret enough for that');
        receipt = (await citizen.locator('[data-testid=receipt]').textContent({ timeout: TIMEOUT }))?.trim();
        if (!receipt) throw new Error('the result page has an empty [data-testid=receipt]');
        console.log(`  receipt ${receipt}`);
        const res = await fetch(`${base}/api/v1/reports/${encodeURIComponent(receipt)}`);
        const body = await res.json().catch(() => null);
        if (res.status !== 200 || body?.receipt !== receipt)
            throw new Error(`GET /api/v1/reports/${receipt} → ${res.status} ${JSON.stringify(body)}`);
    });

    let caseUrl;
    await step('2. intake1 logs in and assigns the case to an agency', async () => {
        await login(staff, 'intake1');
        const link = staff.locator('a[data-testid=case-link]');
        const n = await link.count();
        if (n !== 1) throw new Error(`expected exactly 1 a[data-testid=case-link] on /quan-tri, found ${n}`);
        const [res] = await Promise.all([staff.waitForNavigation({ waitUntil: 'load' }), link.click()]);
        caseUrl = new URL(staff.url()).pathname;
        await screenshot(staff, 'case-intake');
        await failOnHttpError(staff, res, 'opening the case');
        await checkAccessibility(staff);
        await expectImageLoaded(staff, '[data-testid=report-file] img', 'the case page');
        const agency = await field(staff, 'Cơ quan chủ trì');
        const first = await agency.locator('option').first().getAttribute('value');
        if (!first) throw new Error('the "Cơ quan chủ trì" select has no option with a value');
        await agency.selectOption(first);
        console.log(`  agency ${first}`);
        await submit(staff, 'Giao xử lý', 'case-assigned');
        await logout(staff);
    });

    await step('3. verifier1 records a decision (verdict false, evidence, provision, remedy)', async () => {
        await login(staff, 'verifier1');
        await openCase(staff, caseUrl, 'case-verifier');
        await select(staff, 'Kết luận', 'false');
        await fill(staff, 'Tóm tắt', 'Điện lực không hoàn tiền điện qua tin nhắn; đường link dẫn tới trang giả mạo để lấy thông tin tài khoản.');
        await fill(staff, 'Lý do', 'Công ty Điện lực Kon Tum đã xác nhận không có chương trình hoàn tiền nào; tên miền trong tin nhắn không thuộc ngành điện.');
        await fill(staff, 'Nguồn bằng chứng (URL)', 'https://example.gov.vn/thong-bao/canh-bao-lua-dao-hoan-tien-dien');
        await fill(staff, 'Ghi chú bằng chứng', 'Thông báo chính thức của Điện lực, truy cập ngày làm hồ sơ.');
        const provisions = staff.getByRole('group', { name: 'Căn cứ pháp lý', exact: true });
        if ((await provisions.count()) !== 1) throw new Error('no fieldset with legend "Căn cứ pháp lý"');
        const box = provisions.locator('input[type=checkbox][name=legal_provisions]').first();
        await box.check();
        console.log(`  provision ${await box.getAttribute('value')}`);
        await select(staff, 'Biện pháp', 'correction');
        await submit(staff, 'Gửi kết luận', 'case-decided');
        await expectText(staff, 'Sai sự thật', 'the case page after the decision');
        // Four eyes: the decider is not offered the review, and a verifier cannot publish.
        for (const button of ['Phê duyệt', 'Công bố']) {
            const n = await staff.getByRole('button', { name: button, exact: true }).count();
            if (n !== 0) throw new Error(`verifier1, who decided, is offered the "${button}" button`);
        }
        await logout(staff);
    });

    await step('4. reviewer1 (a different person) approves the decision', async () => {
        await login(staff, 'reviewer1');
        await openCase(staff, caseUrl, 'case-reviewer');
        await fill(staff, 'Nhận xét', 'Đủ bằng chứng, đồng ý công bố đính chính.');
        await submit(staff, 'Phê duyệt', 'case-approved');
        await logout(staff);
    });

    let publicPath;
    let slug;
    await step('5. editor1 publishes the fact-check', async () => {
        await login(staff, 'editor1');
        await openCase(staff, caseUrl, 'case-editor');
        // The claim is stated by the editor, not copied from the report (which may name
        // the reporter); the report's words are shown beside, read-only.
        const words = await staff.locator('[data-testid=reporter-words]').innerText();
        await fill(staff, 'Nội dung được kiểm chứng (sẽ công bố)', words.trim());
        await fill(staff, 'Tiêu đề', TITLE);
        await fill(staff, 'Nội dung bài đăng (để trống sẽ dùng tóm tắt và lý do)', ARTICLE_BODY);
        await submit(staff, 'Công bố', 'case-published');
        const link = staff.locator('a[data-testid=public-link]');
        if ((await link.count()) !== 1) throw new Error('after "Công bố" the case page has no a[data-testid=public-link]');
        publicPath = new URL((await link.getAttribute('href')) ?? '', base).pathname;
        const m = publicPath.match(/^\/kiem-chung\/([^/]+)$/);
        if (!m) throw new Error(`the public link points to ${publicPath}, not /kiem-chung/SLUG`);
        slug = m[1];
        console.log(`  published at ${publicPath}`);
        await logout(staff);
    });

    await step('6. the fact-check is public: page with ClaimReview, list, search, Atom feed', async () => {
        await visit(citizen, publicPath, 'factcheck');
        await expectText(citizen, 'Sai sự thật', 'the public fact-check page');
        await expectText(citizen, TITLE, 'the public fact-check page');
        const blocks = await citizen.locator('script[type="application/ld+json"]').allTextContents();
        if (blocks.length === 0) throw new Error('no script[type="application/ld+json"] on the fact-check page');
        const docs = blocks.map((b, i) => {
            try {
                return JSON.parse(b);
            } catch (e) {
                throw new Error(`JSON-LD block ${i} does not parse: ${e.message}`);
            }
        });
        const review = docs.flatMap(findTyped('ClaimReview'))[0];
        if (!review) throw new Error(`no "@type": "ClaimReview" in the JSON-LD: ${blocks.join(' ')}`);
        if (!JSON.stringify(review).includes(slug)) throw new Error(`the ClaimReview does not carry the page URL (${slug})`);

        await visit(citizen, '/kiem-chung', 'factchecks');
        await expectLink(citizen, publicPath, '/kiem-chung');

        await visit(citizen, `/tra-cuu?q=${encodeURIComponent(SEARCH_WORDS)}`, 'search');
        await expectLink(citizen, publicPath, `/tra-cuu?q=${SEARCH_WORDS}`);

        // The English switch, in a context of its own so the rest stays Vietnamese.
        const english = await newPage();
        await visit(english, publicPath, 'factcheck-vi');
        const sw = english.getByRole('link', { name: 'English', exact: true });
        if ((await sw.count()) === 0) throw new Error(`no "English" link on ${publicPath}`);
        const [switched] = await Promise.all([english.waitForNavigation({ waitUntil: 'load' }), sw.first().click()]);
        await screenshot(english, 'factcheck-en');
        await failOnHttpError(english, switched, 'the English switch');
        const lang = await english.evaluate(() => document.documentElement.lang);
        if (lang !== 'en') throw new Error(`after the English switch the page has lang="${lang}"`);
        await checkAccessibility(english);
        await english.context().close();

        const feed = await visit(citizen, '/feed.xml', 'feed', { html: false });
        const type = feed.headers()['content-type'] ?? '';
        if (!/xml/.test(type)) throw new Error(`/feed.xml has content-type "${type}"`);
        const xml = await feed.text();
        if (!xml.includes('<feed') || !xml.includes('http://www.w3.org/2005/Atom')) throw new Error('/feed.xml is not an Atom feed');
        if (!xml.includes(escapeXml(TITLE)) && !xml.includes(TITLE)) throw new Error(`/feed.xml does not contain the title "${TITLE}"`);
    });

    await step('7. the same rumour without diacritics is answered at once (form and API)', async () => {
        await visit(citizen, '/phan-anh', 'report-form-again');
        await fill(citizen, 'Nội dung phản ánh', RUMOUR_AGAIN);
        await submit(citizen, 'Gửi phản ánh', 'receipt-matched');
        const match = citizen.locator('[data-testid=match]');
        if ((await match.count()) !== 1) throw new Error('the result page has no [data-testid=match]: the report was not answered at once');
        const text = await match.innerText();
        if (!text.includes('Sai sự thật')) throw new Error(`[data-testid=match] does not show the verdict "Sai sự thật": ${text}`);
        const hrefs = await match.locator('a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
        const target = hrefs.find((h) => h && new URL(h, base).pathname === publicPath);
        if (!target) throw new Error(`[data-testid=match] has no link to ${publicPath} (links: ${hrefs.join(', ')})`);
        const [followed] = await Promise.all([
            citizen.waitForNavigation({ waitUntil: 'load' }),
            match.locator(`a[href="${target}"]`).first().click(),
        ]);
        await screenshot(citizen, 'factcheck-from-match');
        await failOnHttpError(citizen, followed, 'following the link in the answer');
        if (new URL(citizen.url()).pathname !== publicPath) throw new Error(`the answer's link led to ${citizen.url()}`);

        const res = await fetch(`${base}/api/v1/reports`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ text: RUMOUR_AGAIN.replace('roi nhap', 'va nhap') }),
        });
        const body = await res.json().catch(() => null);
        if (res.status !== 201) throw new Error(`POST /api/v1/reports → ${res.status} ${JSON.stringify(body)}`);
        if (body?.match?.verdict !== 'false' || new URL(body.match.url ?? '', base).pathname !== publicPath)
            throw new Error(`POST /api/v1/reports did not answer with the verdict and URL: ${JSON.stringify(body)}`);
        console.log(`  API answer: verdict ${body.match.verdict}, score ${body.match.score}`);
    });

    const APPEAL_CONTACT = 'nguoi.duoc.nhac@example.vn';
    const OUTCOME = 'Thông báo gốc do người khiếu nại cung cấp cho thấy kết luận cần được xem xét lại.';
    let appealPath;
    await step('8. a person concerned appeals on the fact-check page and follows it by receipt', async () => {
        await visit(citizen, publicPath, 'factcheck-appeal-form');
        await expectText(citizen, 'Gửi khiếu nại', 'the public fact-check page');
        await citizen.getByLabel('Người được nhắc đến trong nội dung', { exact: true }).check();
        await fill(citizen, 'Lý do khiếu nại', 'Bài viết nêu tên tôi chỉ dẫn lại một thông báo cũ của điện lực.');
        await fill(citizen, 'Liên hệ (không bắt buộc)', APPEAL_CONTACT);
        await submit(citizen, 'Gửi khiếu nại', 'appeal-received');
        appealPath = new URL(citizen.url()).pathname;
        if (!/^\/khieu-nai\/KC-[0-9A-Z]{4}-[0-9A-Z]{4}$/.test(appealPath)) throw new Error(`after "Gửi khiếu nại" the browser is at ${citizen.url()}`);
        await expectText(citizen, 'Đang xem xét', 'the appeal status page');
        console.log(`  appeal receipt page ${appealPath}`);
    });

    await step('9. reviewer1, who approved the decision, may not decide the appeal; reviewer2 overturns it', async () => {
        await login(staff, 'reviewer1');
        await expectText(staff, 'Khiếu nại chờ giải quyết', 'the console of reviewer1');
        await openCase(staff, caseUrl, 'case-appeal-approver');
        await expectText(staff, 'không thể giải quyết khiếu nại này', 'the case page of reviewer1');
        if ((await staff.getByRole('button', { name: 'Giải quyết khiếu nại', exact: true }).count()) !== 0)
            throw new Error('reviewer1, who approved the decision, is offered "Giải quyết khiếu nại"');
        await logout(staff);

        await login(staff, 'reviewer2');
        await openCase(staff, caseUrl, 'case-appeal-reviewer');
        await staff.getByLabel('Kết luận được sửa hoặc huỷ', { exact: true }).check();
        await fill(staff, 'Lý do giải quyết', OUTCOME);
        await submit(staff, 'Giải quyết khiếu nại', 'case-appeal-decided');
        await logout(staff);
    });

    await step('10. the outcome is public on the fact-check page and the appeal page, without the contact', async () => {
        for (const [path, name] of [[publicPath, 'factcheck-overturned'], [appealPath, 'appeal-overturned']]) {
            await visit(citizen, path, name);
            await expectText(citizen, 'Kết luận được sửa hoặc huỷ', path);
            await expectText(citizen, OUTCOME, path);
            const body = await citizen.locator('body').innerText();
            if (body.includes(APPEAL_CONTACT)) throw new Error(`${path} shows the appellant's contact`);
        }
    });

    const ARTICLE = 'Ba bước kiểm tra trước khi chia sẻ';
    await step('11. editor1 writes an awareness article and sees the month in figures; citizens find the article from the home page', async () => {
        await login(staff, 'editor1');
        await visit(staff, '/quan-tri/bai-viet', 'articles-console');
        await fill(staff, 'Tiêu đề', ARTICLE);
        await fill(staff, 'Nội dung', 'Xem ai đăng tin và tin đăng khi nào.\n\nTìm tin trên trang của cơ quan chức năng.\n\nKhông chia sẻ khi chưa chắc chắn.');
        await submit(staff, 'Đăng bài', 'article-published');
        const articlePath = new URL(staff.url()).pathname;
        if (!articlePath.startsWith('/nhan-dien/')) throw new Error(`after "Đăng bài" the browser is at ${staff.url()}`);
        await visit(staff, '/quan-tri/bai-viet', 'articles-console-listed');
        await expectLink(staff, articlePath, 'the console list of articles');
        await visit(staff, '/quan-tri/thong-ke', 'stats');
        await expectText(staff, 'Diễn biến theo ngày', 'the statistics page');
        await logout(staff);

        await visit(citizen, '/', 'home-with-article');
        const [res] = await Promise.all([
            citizen.waitForNavigation({ waitUntil: 'load' }),
            citizen.getByRole('link', { name: ARTICLE, exact: true }).click(),
        ]);
        await screenshot(citizen, 'article');
        await failOnHttpError(citizen, res, 'the article link on the home page');
        await checkAccessibility(citizen);
        await expectText(citizen, 'Tìm tin trên trang của cơ quan chức năng.', 'the article page');
        if (new URL(citizen.url()).pathname !== articlePath) throw new Error(`the home page link led to ${citizen.url()}`);
    });

    // WCAG 2.1 1.4.10 (reflow): 320 CSS px, the width Thông tư 26/2020 holds a state site to.
    // Wide tables may scroll inside their own box; the page itself must not.
    const phoneContext = async () => {
        const ctx = await browser.newContext({
            baseURL: base, locale: 'vi-VN', viewport: { width: 320, height: 640 }, isMobile: true, hasTouch: true,
        });
        ctx.setDefaultTimeout(TIMEOUT);
        return ctx;
    };
    const fitsWidth = async (phone, path, prefix) => {
        await visit(phone, path, `${prefix}${path.replace(/[^a-z0-9]+/gi, '-').slice(0, 40)}`);
        const [scroll, width] = await phone.evaluate(() =>
            [document.documentElement.scrollWidth, document.documentElement.clientWidth]);
        if (scroll > width) throw new Error(`${path} is ${scroll} px wide on a ${width} px phone: it scrolls sideways`);
    };

    await step('12. on a phone-sized window every public page fits the width: nothing to scroll sideways', async () => {
        const ctx = await phoneContext();
        const phone = await ctx.newPage();
        const paths = ['/', '/phan-anh', `/phan-anh/${receipt}`, '/kiem-chung', publicPath, appealPath,
            `/tra-cuu?q=${encodeURIComponent(SEARCH_WORDS)}`, '/nhan-dien', '/du-lieu'];
        for (const path of paths) await fitsWidth(phone, path, 'phone');
        await ctx.close();
    });

    // Commune officers handle reports on their phones as often as at a desk.
    await step('13. on a phone, the console pages fit the width too (editor1, then auditor1)', async () => {
        const ctx = await phoneContext();
        const phone = await ctx.newPage();
        await login(phone, 'editor1');
        for (const path of ['/quan-tri', caseUrl, '/quan-tri/bai-viet', '/quan-tri/tuyen-truyen',
            '/quan-tri/thong-ke', '/quan-tri/nhiem-vu']) {
            await fitsWidth(phone, path, 'phone-console');
        }
        await logout(phone);
        await login(phone, 'auditor1');
        await fitsWidth(phone, '/quan-tri/nhat-ky', 'phone-console');
        await fitsWidth(phone, `/quan-tri/nhat-ky?case=${caseUrl.split("/").pop()}`, 'phone-console');
        await ctx.close();
    });

    // An article written over half an hour must not be lost to an expired session.
    await step('14. a form sent after the session ended: the sign-in page shows what was typed and leads back', async () => {
        await login(staff, 'editor1');
        await visit(staff, '/quan-tri/bai-viet', 'articles-before-expiry');
        const body = 'Bài viết dài viết trong lúc phiên đăng nhập hết hạn.\n\nĐoạn thứ hai <không phải thẻ>.';
        await fill(staff, 'Tiêu đề', 'Bài viết khi phiên đã hết');
        await fill(staff, 'Nội dung', body);
        // The session ends meanwhile: disabling an account ends its sessions.
        for (const cmd of ['disable', 'enable']) {
            const r = spawnSync(bin, ['user', cmd, 'editor1', '--data-dir', join(dataDir, 'data'), ...dbArgs()], { encoding: 'utf8', timeout: 60_000 });
            if (r.status !== 0) throw new Error(`user ${cmd} editor1 exited ${r.status}: ${r.stderr || r.stdout}`);
        }
        const b = staff.getByRole('button', { name: 'Đăng bài', exact: true });
        const [res] = await Promise.all([staff.waitForNavigation({ waitUntil: 'load' }), b.click()]);
        await screenshot(staff, 'session-ended-kept');
        if (res?.status() !== 401) throw new Error(`a form sent after the session ended answered HTTP ${res?.status()} at ${staff.url()}`);
        await expectText(staff, 'chưa được lưu', 'the sign-in page after the session ended');
        const kept = await staff.locator('[data-testid=unsaved-body]').inputValue();
        if (kept !== body) throw new Error(`the sign-in page shows ${JSON.stringify(kept)} as the article's text, not what was typed`);
        await checkAccessibility(staff);
        await fill(staff, 'Tên đăng nhập', 'editor1');
        await fill(staff, 'Mật khẩu', PASSWORD);
        await submit(staff, 'Đăng nhập', 'back-after-sign-in');
        if (new URL(staff.url()).pathname !== '/quan-tri/bai-viet')
            throw new Error(`signing in again led to ${staff.url()}, not back to the articles page`);
        const published = await staff.getByRole('link', { name: 'Bài viết khi phiên đã hết', exact: true }).count();
        if (published !== 0) throw new Error('the article sent without a session was published');
        // Signed out in another tab: the session cookie itself is gone this time.
        await fill(staff, 'Tiêu đề', 'Bài viết khi phiên đã hết');
        await fill(staff, 'Nội dung', body);
        const other = await staff.context().newPage();
        await other.goto('/quan-tri', { waitUntil: 'load' });
        await logout(other);
        await other.close();
        const [again] = await Promise.all([staff.waitForNavigation({ waitUntil: 'load' }),
            staff.getByRole('button', { name: 'Đăng bài', exact: true }).click()]);
        await screenshot(staff, 'signed-out-elsewhere-kept');
        if (again?.status() !== 401) throw new Error(`a form sent after signing out in another tab answered HTTP ${again?.status()}`);
        const keptAgain = await staff.locator('[data-testid=unsaved-body]').inputValue();
        if (keptAgain !== body) throw new Error(`after signing out in another tab the sign-in page shows ${JSON.stringify(keptAgain)}`);
    });
}

// ---- helpers -------------------------------------------------------------------------------

async function step(name, fn) {
    currentStep = name;
    const t0 = Date.now();
    console.log(`▶ ${name}`);
    await fn();
    console.log(`  ✓ ${Date.now() - t0} ms`);
}

function dbArgs() {
    return args['database-url'] ? ['--database-url', args['database-url']] : [];
}

/** Goes to a path, screenshots it, fails on an HTTP error, then checks accessibility. */
async function visit(page, path, name, { html = true } = {}) {
    const res = await page.goto(path, { waitUntil: 'load' });
    if (!res) throw new Error(`no response for ${path}`);
    await screenshot(page, name);
    await failOnHttpError(page, res, `GET ${path}`);
    if (html) await checkAccessibility(page);
    return res;
}

async function screenshot(page, name) {
    const file = join(shotDir, `${String(++shotCount).padStart(2, '0')}-${name}.png`);
    await page.screenshot({ path: file, fullPage: true });
    const u = new URL(page.url());
    visited.push(u.pathname + u.search);
    console.log(`  page ${u.pathname + u.search} → ${relative(repo, file)}`);
}

async function failOnHttpError(page, res, what) {
    const status = res?.status() ?? 0;
    if (status < 400) return;
    const body = (await page.locator('body').innerText().catch(() => '')).replace(/\s+/g, ' ').slice(0, 300);
    throw new Error(`${what} → HTTP ${status} at ${page.url()}: ${body}`);
}

/** Basic accessibility: a language, a heading, and a label for every form control. */
async function checkAccessibility(page) {
    const path = new URL(page.url()).pathname;
    const problems = await page.evaluate(() => {
        const out = [];
        if (!document.documentElement.lang) out.push('<html> has no lang attribute');
        if (!document.querySelector('h1')) out.push('no <h1>');
        for (const el of document.querySelectorAll('input, select, textarea')) {
            if (el.type === 'hidden' || el.type === 'submit' || el.type === 'button') continue;
            const labelled =
                el.labels?.length > 0 || el.getAttribute('aria-label') || el.getAttribute('aria-labelledby');
            if (!labelled) out.push(`${el.tagName.toLowerCase()} name="${el.name}" id="${el.id}" has no label`);
        }
        return out;
    });
    if (problems.length) throw new Error(`accessibility on ${path}: ${problems.join('; ')}`);
}

/**
 * Keyboard users reach the skip link first and then the form's controls in reading order.
 * `selectors` must receive focus in this order (other elements may come between them).
 */
async function checkFocusOrder(page, selectors) {
    await page.locator('body').focus();
    const seen = [];
    for (let i = 0; i < 40; i++) {
        await page.keyboard.press('Tab');
        const idx = await page.evaluate((sels) => {
            const el = document.activeElement;
            if (el && el.classList.contains('skip')) return -2;
            return sels.findIndex((s) => el && el.matches(s) && el.closest('main'));
        }, selectors);
        seen.push(idx);
        if (idx === selectors.length - 1) break;
    }
    if (seen[0] !== -2) throw new Error(`the first Tab on ${page.url()} does not reach the skip link`);
    const order = seen.filter((i) => i >= 0);
    const expected = selectors.map((_, i) => i);
    if (JSON.stringify(order) !== JSON.stringify(expected))
        throw new Error(`focus order on ${page.url()}: reached ${JSON.stringify(order.map((i) => selectors[i]))}, expected ${JSON.stringify(selectors)}`);
}

/** The form control with exactly this label; on a miss, lists the labels the page has. */
async function field(page, label) {
    const loc = page.getByLabel(label, { exact: true });
    const n = await loc.count();
    if (n !== 1) {
        const labels = (await page.locator('label').allInnerTexts()).map((l) => l.trim());
        throw new Error(`expected 1 control labelled "${label}" on ${page.url()}, found ${n}; labels on the page: ${JSON.stringify(labels)}`);
    }
    return loc;
}

async function fill(page, label, value) {
    await (await field(page, label)).fill(value);
}

async function select(page, label, value) {
    const got = await (await field(page, label)).selectOption(value);
    if (!got.includes(value)) throw new Error(`the select "${label}" has no option with value "${value}"`);
}

/** Clicks a submit button, waits for the resulting page, screenshots it, fails on an error box. */
async function submit(page, button, shotName) {
    const b = page.getByRole('button', { name: button, exact: true });
    const n = await b.count();
    if (n !== 1) {
        const buttons = await page.getByRole('button').allInnerTexts();
        throw new Error(`expected 1 button "${button}" on ${page.url()}, found ${n}; buttons: ${JSON.stringify(buttons)}`);
    }
    const [res] = await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), b.click()]);
    await screenshot(page, shotName);
    const alert = page.locator('[role=alert]');
    if ((await alert.count()) > 0)
        throw new Error(`"${button}" → HTTP ${res?.status()}, error shown: ${(await alert.first().innerText()).trim()}`);
    await failOnHttpError(page, res, `"${button}"`);
    await checkAccessibility(page);
    return res;
}

async function login(page, name) {
    await visit(page, '/quan-tri/dang-nhap', `login-${name}`);
    await fill(page, 'Tên đăng nhập', name);
    await fill(page, 'Mật khẩu', PASSWORD);
    await submit(page, 'Đăng nhập', `console-${name}`);
    if (!new URL(page.url()).pathname.startsWith('/quan-tri') || /dang-nhap/.test(page.url()))
        throw new Error(`after logging in as ${name} the browser is at ${page.url()}`);
}

async function logout(page) {
    await submit(page, 'Đăng xuất', 'logged-out');
    const res = await page.goto('/quan-tri', { waitUntil: 'load' });
    await screenshot(page, 'console-after-logout');
    if (new URL(page.url()).pathname !== '/quan-tri/dang-nhap' && (res?.status() ?? 0) < 400)
        throw new Error(`after "Đăng xuất" /quan-tri still opens the console (${page.url()}, HTTP ${res?.status()})`);
}

/** Opens the case from the console list (so each role also sees it there). */
async function openCase(page, caseUrl, shotName) {
    let link = page.locator(`a[data-testid=case-link][href="${caseUrl}"]`);
    if ((await link.count()) === 0) {
        // A finished case (published, closed, answered) is listed under the open queue, in a
        // section that starts folded.
        link = page.locator(`a[data-testid=finished-case-link][href="${caseUrl}"]`);
        if ((await link.count()) > 0) await page.locator('details[data-testid=finished-cases] > summary').click();
    }
    if ((await link.count()) === 0) throw new Error(`the console lists no link to ${caseUrl}, open or finished`);
    const [res] = await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), link.first().click()]);
    await page.waitForURL((u) => u.pathname === caseUrl);
    await screenshot(page, shotName);
    await failOnHttpError(page, res, `opening ${caseUrl}`);
    await checkAccessibility(page);
}

/** A 16×16 PNG drawn here (a red square on white), as a phone's screenshot stand-in. */
function tinyPng() {
    const chunk = (type, data) => {
        const len = Buffer.alloc(4);
        len.writeUInt32BE(data.length);
        const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
        const crc = Buffer.alloc(4);
        crc.writeUInt32BE(crc32(body));
        return Buffer.concat([len, body, crc]);
    };
    const size = 16;
    const ihdr = Buffer.alloc(13);
    ihdr.writeUInt32BE(size, 0);
    ihdr.writeUInt32BE(size, 4);
    ihdr[8] = 8; // bit depth
    ihdr[9] = 2; // RGB
    const rows = [];
    for (let y = 0; y < size; y++) {
        const row = [0];
        for (let x = 0; x < size; x++) {
            const inside = x >= 4 && x < 12 && y >= 4 && y < 12;
            row.push(255, inside ? 0 : 255, inside ? 0 : 255);
        }
        rows.push(Buffer.from(row));
    }
    return Buffer.concat([
        Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
        chunk('IHDR', ihdr),
        chunk('IDAT', deflateSync(Buffer.concat(rows))),
        chunk('IEND', Buffer.alloc(0)),
    ]);
}

/** An image on the page that the browser fetched and decoded (a broken one has width 0). */
async function expectImageLoaded(page, selector, where) {
    const img = page.locator(selector).first();
    if ((await page.locator(selector).count()) === 0) throw new Error(`${where} shows no ${selector}`);
    await img.scrollIntoViewIfNeeded();
    const width = await img.evaluate(async (el) => {
        if (!el.complete)
            await new Promise((r) => {
                el.addEventListener('load', r, { once: true });
                el.addEventListener('error', r, { once: true });
            });
        return el.naturalWidth;
    });
    if (!(width > 0)) throw new Error(`${where}: ${selector} did not load (naturalWidth ${width})`);
    console.log(`  image loaded, ${width} px wide`);
}

async function expectText(page, text, where) {
    const body = await page.locator('body').innerText();
    if (!body.includes(text)) throw new Error(`${where} does not show "${text}"`);
}

async function expectLink(page, path, where) {
    const hrefs = await page.locator('a').evaluateAll((as) => as.map((a) => a.href));
    if (!hrefs.some((h) => new URL(h).pathname === path)) throw new Error(`${where} has no link to ${path}`);
}

function findTyped(type) {
    const walk = (v) => {
        if (Array.isArray(v)) return v.flatMap(walk);
        if (v && typeof v === 'object') {
            const t = v['@type'];
            const here = t === type || (Array.isArray(t) && t.includes(type)) ? [v] : [];
            return here.concat(Object.values(v).flatMap(walk));
        }
        return [];
    };
    return walk;
}

function escapeXml(s) {
    return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

function stopServer() {
    if (server) {
        const s = server;
        server = null;
        s.kill('SIGTERM');
    }
}

function freePort() {
    return new Promise((ok, fail) => {
        const s = createServer();
        s.on('error', fail);
        s.listen(0, '127.0.0.1', () => {
            const { port } = s.address();
            s.close(() => ok(port));
        });
    });
}

function sleep(ms) {
    return new Promise((r) => setTimeout(r, ms));
}

function parseArgs(argv) {
    const out = {};
    for (let i = 0; i < argv.length; i++) {
        const a = argv[i];
        if (a === '--keep') out.keep = true;
        else if (a === '--bin' || a === '--database-url' || a === '--shots') out[a.slice(2)] = argv[++i];
        else {
            console.error(`usage: node tests/e2e/flow.mjs [--bin PATH] [--database-url URL] [--shots DIR] [--keep]\nunknown argument ${a}`);
            process.exit(2);
        }
    }
    return out;
}
