//! One HTTP exchange over `fetch`, and an abortable sleep: the only I/O of the crate.
//!
//! Every exchange gets its own `AbortController`. A timer aborts it after the timeout and
//! the caller's `AbortSignal` aborts it on request; a guard clears the timer and removes the
//! listener on every path (reqwest's wasm rule), so nothing keeps running once a call settles.

use std::{cell::Cell, rc::Rc};

use ics_reseller::{Error, HttpRequest};
use js_sys::{Function, Promise};
use wasm_bindgen::{prelude::*, JsCast};
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, AbortSignal, Headers, RequestInit, Response};

#[wasm_bindgen]
extern "C" {
    /// The global `fetch` (browsers, workers, Node 18+).
    #[wasm_bindgen(js_name = fetch)]
    fn global_fetch(input: &str, init: &RequestInit) -> Promise;
    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout(handler: &Function, ms: f64) -> JsValue;
    #[wasm_bindgen(js_name = clearTimeout)]
    fn clear_timeout(id: &JsValue);
}

/// What came back: status, `Retry-After`, body text (`Response.text()`: UTF-8, a
/// byte-order mark skipped; still in JS memory, copied into wasm only for an error's
/// snippet).
pub struct Answer {
    /// HTTP status.
    pub status: u16,
    /// The `Retry-After` header, if any.
    pub retry_after: Option<String>,
    /// The body, a JS string.
    pub text: JsValue,
}

/// Whether the caller's signal has fired.
pub fn aborted(signal: Option<&AbortSignal>) -> bool {
    signal.is_some_and(AbortSignal::aborted)
}

/// A timer and an abort listener, both undone on drop.
struct Guard {
    timer: Option<JsValue>,
    _on_timer: Option<Closure<dyn FnMut()>>,
    listener: Option<(AbortSignal, Closure<dyn FnMut()>)>,
}

impl Guard {
    /// Runs `on_fire` after `ms` (when given) or when `signal` aborts, whichever comes first.
    fn arm(ms: Option<f64>, signal: Option<&AbortSignal>, on_fire: Rc<dyn Fn(bool)>) -> Guard {
        let (timer, on_timer) = match ms {
            Some(ms) => {
                let f = on_fire.clone();
                let cb = Closure::<dyn FnMut()>::new(move || f(true));
                (Some(set_timeout(cb.as_ref().unchecked_ref(), ms)), Some(cb))
            }
            None => (None, None),
        };
        let listener = signal.map(|s| {
            let f = on_fire.clone();
            let cb = Closure::<dyn FnMut()>::new(move || f(false));
            let _ = s.add_event_listener_with_callback("abort", cb.as_ref().unchecked_ref());
            (s.clone(), cb)
        });
        Guard {
            timer,
            _on_timer: on_timer,
            listener,
        }
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        if let Some(t) = self.timer.take() {
            clear_timeout(&t);
        }
        if let Some((s, cb)) = &self.listener {
            let _ = s.remove_event_listener_with_callback("abort", cb.as_ref().unchecked_ref());
        }
    }
}

fn js_message(e: &JsValue) -> String {
    if let Some(err) = e.dyn_ref::<js_sys::Error>() {
        let mut m = String::from(err.message());
        // Node's undici puts the reason ("ECONNREFUSED", "other side closed") in `cause`.
        if let Ok(cause) = js_sys::Reflect::get(err, &"cause".into()) {
            if let Some(c) = cause.dyn_ref::<js_sys::Error>() {
                m.push_str(": ");
                m.push_str(&String::from(c.message()));
            }
        }
        m
    } else {
        e.as_string().unwrap_or_else(|| "fetch failed".to_owned())
    }
}

/// Sends `req` with `fetch` (or the caller's `fetch`), waiting at most `timeout_ms`.
pub async fn exchange(
    fetch: Option<&Function>,
    req: &HttpRequest,
    signal: Option<&AbortSignal>,
    timeout_ms: u32,
) -> Result<Answer, Error> {
    if aborted(signal) {
        return Err(Error::Aborted);
    }
    let network = |e: JsValue| Error::Network {
        message: js_message(&e),
    };
    let controller = AbortController::new().map_err(network)?;
    let timed_out = Rc::new(Cell::new(false));
    let on_fire: Rc<dyn Fn(bool)> = {
        let (controller, timed_out) = (controller.clone(), timed_out.clone());
        Rc::new(move |is_timer| {
            if is_timer {
                timed_out.set(true);
            }
            controller.abort();
        })
    };
    let guard = Guard::arm(Some(f64::from(timeout_ms)), signal, on_fire);

    let init = RequestInit::new();
    init.set_method(req.method.as_str());
    let headers = Headers::new().map_err(network)?;
    for (k, v) in &req.headers {
        headers.append(k, v).map_err(network)?;
    }
    init.set_headers(&headers);
    if let Some(body) = &req.body {
        init.set_body(&JsValue::from_str(body));
    }
    init.set_signal(Some(&controller.signal()));

    let result: Result<Answer, JsValue> = async {
        let promise = match fetch {
            Some(f) => {
                Promise::resolve(&f.call2(&JsValue::UNDEFINED, &JsValue::from_str(&req.url), &init)?)
            }
            None => global_fetch(&req.url, &init),
        };
        let resp: Response = JsFuture::from(promise).await?.dyn_into()?;
        let retry_after = resp.headers().get("Retry-After").ok().flatten();
        let text = JsFuture::from(resp.text()?).await?;
        Ok(Answer {
            status: resp.status(),
            retry_after,
            text,
        })
    }
    .await;
    drop(guard);
    result.map_err(|e| {
        if timed_out.get() {
            Error::Timeout {
                after_ms: u64::from(timeout_ms),
            }
        } else if aborted(signal) {
            Error::Aborted
        } else {
            network(e)
        }
    })
}

/// Waits `ms` milliseconds; `Err(Aborted)` as soon as `signal` aborts.
pub async fn sleep(ms: u64, signal: Option<&AbortSignal>) -> Result<(), Error> {
    if aborted(signal) {
        return Err(Error::Aborted);
    }
    if ms == 0 {
        return Ok(());
    }
    let mut settle: Option<Function> = None;
    let promise = Promise::new(&mut |resolve, _reject| settle = Some(resolve));
    let Some(settle) = settle else {
        return Ok(()); // unreachable: the executor runs synchronously
    };
    let on_fire: Rc<dyn Fn(bool)> = Rc::new(move |_| {
        let _ = settle.call0(&JsValue::UNDEFINED);
    });
    let guard = Guard::arm(Some(ms as f64), signal, on_fire);
    let _ = JsFuture::from(promise).await;
    drop(guard);
    if aborted(signal) {
        Err(Error::Aborted)
    } else {
        Ok(())
    }
}
