function sortTable(th){const t=th.closest('table'),i=[...th.parentNode.children].indexOf(th),
b=t.tBodies[0],rows=[...b.rows],asc=th.dataset.asc!=='1';th.dataset.asc=asc?'1':'0';
const key=r=>{const s=r.cells[i].innerText.trim(),n=parseFloat(s.replace(/,/g,''));return isNaN(n)?s.toLowerCase():n};
rows.sort((a,c)=>{const x=key(a),y=key(c);return (x>y?1:x<y?-1:0)*(asc?1:-1)});rows.forEach(r=>b.appendChild(r));}
function filterTable(input,id){const q=input.value.toLowerCase(),pass=document.getElementById('passonly');
for(const r of document.getElementById(id).tBodies[0].rows){const okq=r.innerText.toLowerCase().includes(q);
const okf=!pass||!pass.checked||r.dataset.filter==='PASS';r.style.display=okq&&okf?'':'none';}}
document.addEventListener('DOMContentLoaded',()=>{document.querySelectorAll('th').forEach(th=>th.addEventListener('click',()=>sortTable(th)));
const f=document.getElementById('vfilter');if(f){f.addEventListener('input',()=>filterTable(f,'variant-table'));
document.getElementById('passonly').addEventListener('change',()=>filterTable(f,'variant-table'));filterTable(f,'variant-table');}});
